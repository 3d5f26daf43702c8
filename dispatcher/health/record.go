package health

import (
	"sync"
	"time"
)

// supplierState is one supplier's windows and counters, guarded by mu.
type supplierState struct {
	mu      sync.Mutex
	name    string
	suspend bool
	sla     time.Duration
	cal     calendar
	req     reqRing
	ship    shipRing

	consecutive   int
	lastSuccess   time.Time
	lastError     string
	lastErrorTime time.Time
	circuit       Circuit

	ejectedUntil   time.Time
	ejectionCount  int
	ejectionReason string
	suppressed     bool
	// decayRef is when the ejection count last decayed (or the last ejection ended).
	decayRef time.Time
	// statsSince: the failure percentage only counts buckets from here, so a supplier
	// coming back from an ejection is judged on fresh traffic (Envoy resets its counters).
	statsSince time.Time
}

// Record counts one call to supplier: its outcome, its latency (ignored for Throttled
// answers, which say nothing about the API's speed) and, for failures, its error (stored
// sanitised as LastError). It may eject the supplier (see package doc).
func (t *Tracker) Record(supplier string, o Outcome, latency time.Duration, err error) {
	if o < 0 || o >= numOutcomes {
		o = Transient
	}
	var msg string
	if o != Success && err != nil {
		msg = Sanitize(err.Error()) // outside the lock: regexps are the costly part
	}
	now := t.clock()
	s := t.state(supplier)
	s.mu.Lock()
	b := s.req.at(now)
	b.counts[o]++
	if o != Throttled && latency > 0 {
		b.lat.add(latencyScale, latency)
	}
	if t.isFailure(o) {
		s.consecutive++
	} else {
		s.consecutive = 0 // any proper answer ends the run (Envoy's consecutive 5xx)
	}
	if o == Success {
		s.lastSuccess = now
	}
	if msg != "" {
		s.lastError, s.lastErrorTime = msg, now
	}
	reason := t.tripped(s, now)
	s.mu.Unlock()
	if reason != "" {
		t.eject(s, reason, now)
	}
}

// isFailure: transient failures and timeouts always; throttling when penalised.
// Rejections are not failures.
func (t *Tracker) isFailure(o Outcome) bool {
	return o == Transient || o == Timeout || (o == Throttled && t.adaptive.PenalizeThrottling)
}

// RecordAccepted counts one order accepted by supplier at time at toward its day and hour
// quotas (the business day honours the cutoff).
func (t *Tracker) RecordAccepted(supplier string, at time.Time) {
	s := t.state(supplier)
	s.mu.Lock()
	s.cal.add(at, 1)
	s.mu.Unlock()
}

// SetOrderCounts replaces the counts of the business day and hour of at, for a dispatcher
// that restarts and reads them back from its journal.
func (t *Tracker) SetOrderCounts(supplier string, at time.Time, today, thisHour int64) {
	s := t.state(supplier)
	s.mu.Lock()
	s.cal.set(at, today, thisHour)
	s.mu.Unlock()
}

// RecordShipment counts a shipment: the lag from acceptance to the tracking number.
func (t *Tracker) RecordShipment(supplier string, acceptedAt, shippedAt time.Time) {
	lag := max(shippedAt.Sub(acceptedAt), 0)
	now := t.clock()
	s := t.state(supplier)
	s.mu.Lock()
	s.ship.add(now, lag)
	s.mu.Unlock()
}

// SetCircuit records delivery's circuit-breaker state for supplier.
func (t *Tracker) SetCircuit(supplier string, c Circuit) {
	s := t.state(supplier)
	s.mu.Lock()
	s.circuit = c
	s.mu.Unlock()
}
