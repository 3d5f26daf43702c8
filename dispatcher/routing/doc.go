// Package routing decides which supplier gets an order line. It is pure: no I/O, no clock
// reads, no randomness. The caller gathers an Input (the order, the line, the suppliers
// that already refused it, a health.Snapshot per supplier and the current time) and calls
// Engine.Decide, which returns a Decision and its Explain. The same input always gives
// the same decision, so a dispatcher that restarts routes a line exactly as before.
//
// The Engine is compiled once per DispatcherConfig by Compile, which checks every rule
// (CEL expressions included) and returns field-named errors.
//
// Semantics, in the order Decide applies them:
//
//  1. Rules are evaluated in order and the first match wins. A rule matches a line when
//     every non-empty part of its match matches: regions (the ship-to province, compared
//     without the 省/市/自治区 suffixes), skus (exact), skuPrefixes (the SKU starts with
//     one of them), and expression (CEL over `order` and `line`, the canonical JSON shapes; an evaluation
//     error is a non-match recorded in the explain). In WholeOrder mode the rule must
//     match every line.
//  2. Every supplier named by the rule's tiers is a candidate and is checked for
//     eligibility: catalog has the SKU (an empty catalog takes any SKU) with enough stock
//     when stock is tracked, the province is served ("*" serves all), the supplier has not
//     already refused this line, is not suspended, its circuit is not open, it is not
//     ejected, it has quota left this hour and this business day (after the cutoff the
//     business day is tomorrow; reason AfterCutoff), and its effective weight is not zero.
//     The first failing check is the candidate's exclusion reason.
//  3. Effective weight = base weight × health factor, taken from health.EffectiveWeight
//     (one source of truth: routing never recomputes health). No snapshot means no figures
//     yet: the base weight is used.
//  4. MaxEjectionPercent holds per rule: if the snapshots show more of a rule's suppliers
//     ejected than ⌊n × maxEjectionPercent / 100⌋, the ejections that end soonest are
//     overridden for this decision (the supplier keeps base × health factor). The health
//     Tracker already refuses such ejections; this is the guard for snapshots gathered
//     from elsewhere.
//  5. Tiers follow Envoy's priority levels. A tier's health is the effective weight of its
//     eligible suppliers over the base weight of the suppliers that could serve the line
//     (suppliers excluded for catalog, stock, region or a refusal are left out of both:
//     they are not unhealthy, they just do not apply). With the overprovisioning factor
//     1.4, tier 0 takes min(100%, health × 1.4) of the traffic, tier 1 takes what remains
//     up to its own health × 1.4, and so on; if the tiers together fall short of 100%, the
//     loads are scaled up proportionally. A hash of the line key picks the tier, so the
//     split is deterministic per line.
//  6. Within the tier the strategy picks among eligible suppliers: Weighted (weighted
//     rendezvous hashing on the line key: supplier i wins with probability w_i / Σw, and
//     a line keeps its supplier while weights stay put), Cheapest (catalog price, unknown
//     prices last), Fastest (catalog lead time, then health p95 latency, unknown last),
//     Priority (listing order). Ties go to listing order.
//
// A line no rule matches, or with no eligible candidate, is unroutable: Decision.Routed
// is false and Decision.Unroutable says why; the explain shows every candidate.
// Decision.Retryable tells a line that will route once an ejection, circuit or quota
// passes from one that needs a person. Engine.Allocation gives the per-rule view of the
// same figures for RoutingPolicy.status.allocation.
package routing
