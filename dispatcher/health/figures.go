package health

import (
	"time"

	"github.com/dropship-operator/dropship-operator/dispatcher/config"
)

// Snapshot returns supplier's figures now. An unknown supplier gets an empty, Active
// snapshot (and is tracked from then on).
func (t *Tracker) Snapshot(supplier string) Snapshot {
	now := t.clock()
	return t.snapshot(t.state(supplier), now)
}

// Snapshots returns every tracked supplier's figures at one instant, keyed by name.
func (t *Tracker) Snapshots() map[string]Snapshot {
	now := t.clock()
	names := t.Suppliers()
	out := make(map[string]Snapshot, len(names))
	for _, n := range names {
		out[n] = t.snapshot(t.state(n), now)
	}
	return out
}

func (t *Tracker) snapshot(s *supplierState, now time.Time) Snapshot {
	a := t.adaptive
	s.mu.Lock()
	defer s.mu.Unlock()
	s.decay(now, a.Window.Duration)
	c, lat := s.req.sum(now, time.Time{})
	ship := s.ship.sum(now)
	day, hour := s.cal.usage(now)
	snap := Snapshot{
		Supplier:                  s.name,
		ObservedAt:                now,
		Window:                    a.Window,
		Requests:                  int64(c.total()),
		P50LatencyMillis:          lat.quantile(latencyScale, 0.50).Milliseconds(),
		P95LatencyMillis:          lat.quantile(latencyScale, 0.95).Milliseconds(),
		ShipWindow:                config.D(t.opts.ShipWindow),
		ShipLagSamples:            int64(ship.total()),
		ShipLagP95:                config.D(ship.quantile(shipLagScale, 0.95)),
		ShipSLA:                   config.D(s.sla),
		BusinessDay:               s.cal.businessDay(now).Format(time.DateOnly),
		AfterCutoff:               s.cal.afterCutoff(now),
		OrdersToday:               day,
		OrdersThisHour:            hour,
		CapacityRemainingToday:    remaining(s.cal.perDay, day),
		CapacityRemainingThisHour: remaining(s.cal.perHour, hour),
		ConsecutiveFailures:       s.consecutive,
		LastSuccessTime:           s.lastSuccess,
		LastError:                 s.lastError,
		LastErrorTime:             s.lastErrorTime,
		State:                     StateActive,
		EjectionCount:             s.ejectionCount,
		EjectionReason:            s.ejectionReason,
		Circuit:                   s.circuit,
	}
	if n := float64(snap.Requests); n > 0 {
		snap.SuccessRate = float64(c[Success]) / n
		snap.FailureRate = float64(uint64(c[Transient])+uint64(c[Timeout])) / n
		snap.ThrottledRate = float64(c[Throttled]) / n
		snap.RejectedRate = float64(c[Rejected]) / n
	}
	switch {
	case s.suspend:
		snap.State = StateSuspended
	case s.ejected(now):
		snap.State = StateEjected
		snap.EjectedUntil = s.ejectedUntil
	}
	snap.EjectionSuppressed = s.suppressed && snap.State == StateActive && t.tripped(s, now) != ""
	snap.Inconclusive = snap.Requests < int64(a.MinRequests)
	snap.Factors = ComputeFactors(&snap, a)
	snap.HealthFactor = snap.Factors.Product()
	return snap
}
