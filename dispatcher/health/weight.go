package health

import (
	"time"

	"github.com/dropship-operator/dropship-operator/dispatcher/config"
)

// MinShipSamples is how many shipments the ship window must hold before slow shipping is
// judged.
const MinShipSamples = 5

// Factors are the parts of a supplier's health factor, each in [0, 1].
//
//   - Success = 1 − failureRate (transient failures and timeouts over all requests).
//     Business rejections do not count: they reroute the line, the API works.
//   - Throttling = 1 − throttledRate when adaptive.penalizeThrottling, else 1.
//   - SlowShip = limit / shipLagP95 when shipLagP95 > limit = sla.shipWithin ×
//     adaptive.slowShipFactor (and the ship window holds MinShipSamples), else 1.
//   - SlowLatency = adaptive.slowLatency / p95 latency when p95 exceeds it, else 1.
//
// Success, Throttling and SlowLatency are 1 while the window is Inconclusive (fewer than
// minRequests requests): little data must not move traffic. With adaptive disabled every
// factor is 1.
type Factors struct {
	Success     float64 `json:"success"`
	Throttling  float64 `json:"throttling"`
	SlowShip    float64 `json:"slowShip"`
	SlowLatency float64 `json:"slowLatency"`
}

// Product is the health factor: the product of the parts.
func (f Factors) Product() float64 { return f.Success * f.Throttling * f.SlowShip * f.SlowLatency }

// ComputeFactors derives the factors from a snapshot's figures (Requests, FailureRate,
// ThrottledRate, P95LatencyMillis, ShipLagSamples, ShipLagP95, ShipSLA). It is pure.
func ComputeFactors(s *Snapshot, a config.Adaptive) Factors {
	f := Factors{Success: 1, Throttling: 1, SlowShip: 1, SlowLatency: 1}
	if !a.Enabled {
		return f
	}
	a = normalize(a)
	if s.Requests >= int64(a.MinRequests) {
		f.Success = clamp01(1 - s.FailureRate)
		if a.PenalizeThrottling {
			f.Throttling = clamp01(1 - s.ThrottledRate)
		}
		if lim := a.SlowLatency.Duration; lim > 0 {
			if p95 := time.Duration(s.P95LatencyMillis) * time.Millisecond; p95 > lim {
				f.SlowLatency = float64(lim) / float64(p95)
			}
		}
	}
	if lim := slowShipLimit(s, a); lim > 0 && s.ShipLagSamples >= MinShipSamples && s.ShipLagP95.Duration > lim {
		f.SlowShip = float64(lim) / float64(s.ShipLagP95.Duration)
	}
	return f
}

// slowShipLimit is sla × slowShipFactor, or 0 when the supplier has no SLA.
func slowShipLimit(s *Snapshot, a config.Adaptive) time.Duration {
	if s.ShipSLA.Duration <= 0 || a.SlowShipFactor <= 0 {
		return 0
	}
	return time.Duration(float64(s.ShipSLA.Duration) * a.SlowShipFactor)
}

// EffectiveWeight is the weight routing uses for a supplier with the given base weight:
// base × HealthFactor while Active (or once an ejection has expired at now), 0 while
// Ejected or Suspended. A nil snapshot (no figures yet) keeps the base weight.
func EffectiveWeight(base int32, s *Snapshot, now time.Time) float64 {
	if s == nil {
		return float64(base)
	}
	switch {
	case s.State == StateSuspended:
		return 0
	case s.Ejected(now):
		return 0
	}
	return float64(base) * s.HealthFactor
}

// normalize fills the adaptive knobs left zero with the config defaults.
func normalize(a config.Adaptive) config.Adaptive {
	if a.Window.IsZero() {
		a.Window = config.D(config.DefaultAdaptiveWindow)
	}
	if a.MinRequests == 0 {
		a.MinRequests = config.DefaultMinRequests
	}
	if a.ConsecutiveFailures == 0 {
		a.ConsecutiveFailures = config.DefaultConsecutiveFails
	}
	if a.FailurePercent == 0 {
		a.FailurePercent = config.DefaultFailurePercent
	}
	if a.BaseEjectionTime.IsZero() {
		a.BaseEjectionTime = config.D(config.DefaultBaseEjection)
	}
	if a.MaxEjectionTime.IsZero() {
		a.MaxEjectionTime = config.D(config.DefaultMaxEjection)
	}
	if a.MaxEjectionPercent == 0 {
		a.MaxEjectionPercent = config.DefaultMaxEjectionPct
	}
	if a.SlowShipFactor == 0 {
		a.SlowShipFactor = config.DefaultSlowShipFactor
	}
	return a
}

func clamp01(v float64) float64 { return min(max(v, 0), 1) }
