package suppliertest

import (
	"math/bits"
	"strconv"
	"sync/atomic"
	"time"
)

// Stats are the simulator's counters (GET /_sim/stats, Server.Stats).
type Stats struct {
	Name string `json:"name"`
	// Requests counts order submissions (POST /v1/orders), whatever became of them.
	Requests uint64 `json:"requests"`
	// Accepted counts orders created (first acceptance of an idempotency key).
	Accepted uint64 `json:"accepted"`
	// Replays counts repeats of an accepted key, answered with the same order id.
	Replays uint64 `json:"replays"`
	// Duplicates counts lines accepted a second time under a different key: the failure
	// the dispatcher must never cause.
	Duplicates uint64 `json:"duplicates"`
	// KeyConflicts counts a known key reused for different lines (answered 422).
	KeyConflicts uint64 `json:"keyConflicts"`
	// Rejected counts refusals by rule (unknown SKU) and SoftRejected 200-with-error answers.
	Rejected     uint64 `json:"rejected"`
	SoftRejected uint64 `json:"softRejected"`
	// Faults injected by the profile.
	InjectedErrors uint64 `json:"injectedErrors"`
	Throttled      uint64 `json:"throttled"`
	Timeouts       uint64 `json:"timeouts"`
	Dropped        uint64 `json:"dropped"`
	AuthFailures   uint64 `json:"authFailures"`
	BadRequests    uint64 `json:"badRequests"`
	StatusQueries  uint64 `json:"statusQueries"`
	// Shipment callbacks: delivered, failed attempts, given up after every retry.
	CallbacksSent      uint64 `json:"callbacksSent"`
	CallbacksFailed    uint64 `json:"callbacksFailed"`
	CallbacksAbandoned uint64 `json:"callbacksAbandoned"`
	// CallbacksPending are scheduled (shipping later, or waiting for a retry).
	CallbacksPending int `json:"callbacksPending"`
	// Orders is the ledger's size.
	Orders int `json:"orders"`
	// ByStatus counts submissions by the HTTP status answered ("200": 10).
	ByStatus map[string]uint64 `json:"byStatus"`
	// Latency of submissions as served (injected latency included), milliseconds, ~6% buckets.
	LatencyP50Millis float64 `json:"latencyP50Millis"`
	LatencyP95Millis float64 `json:"latencyP95Millis"`
	LatencyP99Millis float64 `json:"latencyP99Millis"`
}

type counters struct {
	requests, accepted, replays, duplicates, keyConflicts, rejected, softRejected          atomic.Uint64
	injectedErrors, throttled, timeouts, dropped, authFailures, badRequests, statusQueries atomic.Uint64
	callbacksSent, callbacksFailed, callbacksAbandoned                                     atomic.Uint64
	byStatus                                                                               [600]atomic.Uint64
	latency                                                                                histogram
}

func (c *counters) snapshot() Stats {
	s := Stats{
		Requests: c.requests.Load(), Accepted: c.accepted.Load(), Replays: c.replays.Load(),
		Duplicates: c.duplicates.Load(), KeyConflicts: c.keyConflicts.Load(), Rejected: c.rejected.Load(),
		SoftRejected: c.softRejected.Load(), InjectedErrors: c.injectedErrors.Load(), Throttled: c.throttled.Load(),
		Timeouts: c.timeouts.Load(), Dropped: c.dropped.Load(), AuthFailures: c.authFailures.Load(), BadRequests: c.badRequests.Load(),
		StatusQueries: c.statusQueries.Load(), CallbacksSent: c.callbacksSent.Load(),
		CallbacksFailed: c.callbacksFailed.Load(), CallbacksAbandoned: c.callbacksAbandoned.Load(),
		ByStatus: map[string]uint64{},
	}
	for code := range c.byStatus {
		if n := c.byStatus[code].Load(); n > 0 {
			s.ByStatus[strconv.Itoa(code)] = n
		}
	}
	s.LatencyP50Millis = c.latency.quantile(0.50)
	s.LatencyP95Millis = c.latency.quantile(0.95)
	s.LatencyP99Millis = c.latency.quantile(0.99)
	return s
}

func (c *counters) reset() {
	for _, a := range []*atomic.Uint64{&c.requests, &c.accepted, &c.replays, &c.duplicates, &c.keyConflicts, &c.rejected,
		&c.softRejected, &c.injectedErrors, &c.throttled, &c.timeouts, &c.dropped, &c.authFailures, &c.badRequests, &c.statusQueries,
		&c.callbacksSent, &c.callbacksFailed, &c.callbacksAbandoned} {
		a.Store(0)
	}
	for i := range c.byStatus {
		c.byStatus[i].Store(0)
	}
	for i := range c.latency.b {
		c.latency.b[i].Store(0)
	}
}

// histogram is a lock-free log-linear histogram of microseconds: 16 buckets per power of
// two (under 4.5% error), fixed memory whatever the run length.
type histogram struct{ b [1024]atomic.Uint64 }

const subBits = 4

func bucketOf(us uint64) int {
	if us < 1<<subBits {
		return int(us)
	}
	n := bits.Len64(us)
	shift := n - subBits - 1
	mant := (us >> shift) & (1<<subBits - 1)
	return (n-subBits)<<subBits + int(mant)
}

// bucketUpper is the largest value that falls into bucket i.
func bucketUpper(i int) uint64 {
	if i < 1<<subBits {
		return uint64(i)
	}
	n := i>>subBits + subBits
	mant := uint64(i & (1<<subBits - 1))
	shift := n - subBits - 1
	return ((1<<subBits+mant)<<shift | (1<<shift - 1))
}

func (h *histogram) observe(d time.Duration) {
	us := d.Microseconds()
	if us < 0 {
		us = 0
	}
	h.b[bucketOf(uint64(us))].Add(1)
}

// quantile in milliseconds; 0 when empty.
func (h *histogram) quantile(q float64) float64 {
	var counts [len(h.b)]uint64
	var total uint64
	for i := range h.b {
		counts[i] = h.b[i].Load()
		total += counts[i]
	}
	if total == 0 {
		return 0
	}
	rank := uint64(q*float64(total-1)) + 1
	var seen uint64
	for i, c := range counts {
		seen += c
		if seen >= rank {
			return float64(bucketUpper(i)) / 1000
		}
	}
	return 0
}
