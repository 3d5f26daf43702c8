// Package kube reports a dispatcher's figures into the custom resources: the status of
// the policy's Suppliers (their dispatchers[policy] entry, the merged health and the
// Healthy condition), of the RoutingPolicy (allocation, throughput, effective weights,
// Degraded) and of a polled OrderSource, plus Events on ejection, recovery and dead-letter
// bursts. It is the only package of the dispatcher that talks to the API server.
//
// Gather, then decide: a Source gathers Figures (health snapshots and verdicts, the
// routing engine's allocation, journal counts, poll figures); pure functions turn them
// into status documents and decide whether they changed enough to write
// (significant.go); the Reporter applies what changed with server-side apply under one
// field manager per policy, at most once per interval. Replicas elect one reporter with
// a Lease; the Lease's renewTime is the heartbeat the operator checks, so a reporter with
// nothing new to say writes no status at all.
package kube
