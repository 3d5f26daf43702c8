// Package storetest is the conformance suite every store.Store backend passes, and the
// benchmarks every backend runs. A backend's tests call Run with a function that opens
// the backend over fresh storage; its benchmarks call Benchmark.
//
// The suite checks behaviour only through the Store interface: intake idempotency, the
// state machine and optimistic locking of Apply (per change, in batches), Claim (due
// time, state and supplier filters, leases, release, concurrent claimers), lookups,
// List paging and filters, Counts, AcceptedSince, cursors, and durability across a close
// and a reopen.
package storetest
