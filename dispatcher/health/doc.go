// Package health keeps sliding-window statistics per supplier and turns them into the one
// figure routing needs: an effective weight (base weight × health factor), plus the
// outlier-ejection state (Envoy semantics) and the Snapshot the status reporter writes
// into Supplier.status.health.
//
// Guarantees:
//   - Concurrency: a Tracker is safe for use by many goroutines. Delivery records outcomes
//     from every worker; routing and the reporter read Snapshots. Each supplier has its own
//     lock, so suppliers never contend with each other.
//   - Bounded memory: a supplier's window is a ring of Options.Buckets time buckets (each a
//     handful of counters and a fixed-size latency histogram) plus a ring for ship lag; the
//     footprint does not grow with traffic.
//   - Determinism: the Tracker never reads the wall clock itself; it calls the injected
//     clock, so tests drive time by hand.
//   - Privacy: the last error is sanitised (secrets, phone numbers and long digit runs are
//     masked) and truncated before it is stored; nothing this package returns carries
//     personal data.
//
// Window semantics: the request window (config.Adaptive.Window, 5m by default) is split
// into Options.Buckets buckets; figures cover the current bucket and the Buckets-1 before
// it, so the effective window slides in steps of Window/Buckets. Latency quantiles come
// from a log-bucketed histogram whose reported value is within ±5% of the true sample
// value at that rank (see histogram.go). Ship lag (accepted → tracking number) uses its own,
// longer window (Options.ShipWindow, 24h by default) because shipping takes hours.
//
// Outlier detection follows Envoy: a supplier is ejected after ConsecutiveFailures
// failures in a row, or when its failure percentage in the window reaches FailurePercent
// with at least MinRequests requests; 429s count as failures when PenalizeThrottling is
// set. An ejection lasts BaseEjectionTime × ejection count (capped by MaxEjectionTime);
// the count decays by one for every full window without an ejection. The Tracker enforces
// MaxEjectionPercent itself over the peer groups it is given (every rule's suppliers, see
// PeerGroups): an ejection that would put more than that share of any rule's suppliers
// out at once is not performed, so the state the status shows is the state routing uses.
// Effective weights are explained in weight.go; the Healthy condition in condition.go.
//
// For the status reporter: Snapshots gives every supplier's figures, Healthy the
// condition, Aggregate merges several dispatchers' snapshots of one supplier, and
// RoutedShares the actual share of each rule's lines per supplier (fed by RecordRouted).
package health
