package health

import (
	"time"

	"github.com/dropship-operator/dropship-operator/dispatcher/config"
)

// stateRank orders states from best to worst for Aggregate.
var stateRank = map[State]int{StateActive: 0, StateEjected: 1, StateSuspended: 2}

// Aggregate combines the snapshots several dispatchers (one per policy) took of the same
// supplier into the one Supplier.status.health shows. It is pure. Counts add up
// (requests, ship-lag samples, orders today and this hour); the consecutive-failure run,
// quantiles and the ejection count take the largest (quantiles are an upper bound:
// histograms are not merged across processes); rates are weighted by requests; the
// health factor and its parts are means weighted by requests (at least 1 each);
// capacity remaining takes the smallest (each dispatcher counts only its own orders, so
// the smallest is the safe figure); times take the latest; the state is the worst
// (Suspended > Ejected > Active) with the latest ejection; the circuit the most open.
// An empty input gives the zero Snapshot.
func Aggregate(snaps []Snapshot) Snapshot {
	if len(snaps) == 0 {
		return Snapshot{}
	}
	out := snaps[0]
	if len(snaps) == 1 {
		return out
	}
	var succ, fail, thr, rej, hf, weight float64
	var f Factors
	for i, s := range snaps {
		w := float64(s.Requests)
		succ, fail, thr, rej = succ+s.SuccessRate*w, fail+s.FailureRate*w, thr+s.ThrottledRate*w, rej+s.RejectedRate*w
		fw := max(w, 1) // an idle dispatcher still has a say in the health factor
		hf += s.HealthFactor * fw
		f.Success += s.Factors.Success * fw
		f.Throttling += s.Factors.Throttling * fw
		f.SlowShip += s.Factors.SlowShip * fw
		f.SlowLatency += s.Factors.SlowLatency * fw
		weight += fw
		if i == 0 {
			continue
		}
		out.Requests += s.Requests
		out.ShipLagSamples += s.ShipLagSamples
		out.OrdersToday += s.OrdersToday
		out.OrdersThisHour += s.OrdersThisHour
		out.ConsecutiveFailures = max(out.ConsecutiveFailures, s.ConsecutiveFailures)
		out.P50LatencyMillis = max(out.P50LatencyMillis, s.P50LatencyMillis)
		out.P95LatencyMillis = max(out.P95LatencyMillis, s.P95LatencyMillis)
		out.ShipLagP95 = config.D(max(out.ShipLagP95.Duration, s.ShipLagP95.Duration))
		out.CapacityRemainingToday = minPtr(out.CapacityRemainingToday, s.CapacityRemainingToday)
		out.CapacityRemainingThisHour = minPtr(out.CapacityRemainingThisHour, s.CapacityRemainingThisHour)
		out.ObservedAt = later(out.ObservedAt, s.ObservedAt)
		out.LastSuccessTime = later(out.LastSuccessTime, s.LastSuccessTime)
		if s.LastErrorTime.After(out.LastErrorTime) {
			out.LastError, out.LastErrorTime = s.LastError, s.LastErrorTime
		}
		if stateRank[s.State] > stateRank[out.State] ||
			(s.State == out.State && s.EjectedUntil.After(out.EjectedUntil)) {
			out.State, out.EjectedUntil, out.EjectionReason = s.State, s.EjectedUntil, s.EjectionReason
		}
		out.EjectionCount = max(out.EjectionCount, s.EjectionCount)
		out.EjectionSuppressed = out.EjectionSuppressed || s.EjectionSuppressed
		out.AfterCutoff = out.AfterCutoff || s.AfterCutoff
		if s.Circuit == CircuitOpen || (s.Circuit == CircuitHalfOpen && out.Circuit != CircuitOpen) {
			out.Circuit = s.Circuit
		}
	}
	if n := float64(out.Requests); n > 0 {
		out.SuccessRate, out.FailureRate, out.ThrottledRate, out.RejectedRate = succ/n, fail/n, thr/n, rej/n
	}
	out.HealthFactor = hf / weight
	out.Factors = Factors{f.Success / weight, f.Throttling / weight, f.SlowShip / weight, f.SlowLatency / weight}
	out.Inconclusive = true
	for _, s := range snaps {
		out.Inconclusive = out.Inconclusive && s.Inconclusive
	}
	return out
}

func minPtr(a, b *int64) *int64 {
	switch {
	case a == nil:
		return b
	case b == nil || *a <= *b:
		return a
	}
	return b
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}
