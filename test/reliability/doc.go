// Package reliability holds the dispatcher's reliability tests: the dispatcher binary runs
// as a subprocess against supplier simulators on loopback; the tests kill it with SIGKILL
// at random points while orders flow, inject supplier faults and outages, and check that
// every order ends accepted or dead-lettered with a reason, and that no supplier ever
// received an order line twice.
//
// The CI size runs in about a minute; DROPSHIP_RELIABILITY_FULL=1 runs the full size
// (20,000 orders and 5 kills).
package reliability
