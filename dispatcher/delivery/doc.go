// Package delivery sends routed order lines to suppliers and journals what happened.
//
// Every supplier gets its own worker pool: a queue, at most Capacity.MaxConcurrent calls in
// flight, a token bucket of Capacity.RatePerSecond, a per-attempt timeout
// (Delivery.Timeout) and a circuit breaker (closed → open after consecutive failures →
// half-open with one probe → closed again on success).
//
// Delivery guarantee: at least once towards the supplier, exactly once in effect.
//
//   - A line is moved to Submitted (attempt counter incremented) and that change is committed
//     to the store before the supplier is called. The outcome of the call (Accepted,
//     a retry scheduled with NextAttemptAt, Rejected, DeadLettered) is committed before
//     anything else happens to the line. A crash at any point therefore leaves the line in
//     the journal in a state from which it is resumed: Routed and Submitted lines whose
//     lease has lapsed and whose NextAttemptAt is due are claimed again and sent again.
//   - Every call carries the line's Idempotency-Key (order.IdempotencyKey of source, bill,
//     entry and supplier). It is stored with the line when it is routed, so it is the same
//     for every retry and after every restart; the supplier dedupes repeated calls.
//   - A line that may have reached a supplier (a call was started) is only ever retried
//     against that same supplier with that same key. It moves to another supplier only when
//     the supplier refused it for good (supplier.Rejected → Rejected, the supplier is added
//     to Tried, and the pipeline routes the line again with a new key). So a line is never
//     accepted by two suppliers.
//   - Transient failures (5xx, timeouts, connection errors) are retried with exponential
//     backoff and jitter (Delivery.Retry); a 429 waits the supplier's Retry-After, capped at
//     Delivery.RetryAfterMax. When the attempts are used up the line is dead-lettered with
//     the reason and the supplier's last response; dead letters are listed and replayed with
//     DeadLetters. Nothing is dropped silently.
package delivery
