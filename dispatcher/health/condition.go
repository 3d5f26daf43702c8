package health

import (
	"fmt"
	"math"
	"time"

	"github.com/dropship-operator/dropship-operator/dispatcher/config"
)

// ConditionStatus mirrors metav1.ConditionStatus without importing Kubernetes.
type ConditionStatus string

const (
	ConditionTrue    ConditionStatus = "True"
	ConditionFalse   ConditionStatus = "False"
	ConditionUnknown ConditionStatus = "Unknown"
)

// Reasons of the Healthy condition.
const (
	ReasonHealthy      = "Healthy"
	ReasonEjected      = "Ejected"
	ReasonFailing      = "Failing"
	ReasonThrottled    = "Throttled"
	ReasonSlowShipping = "SlowShipping"
	ReasonSlowLatency  = "SlowLatency"
	ReasonInconclusive = "Inconclusive"
	ReasonSuspended    = "Suspended"
)

// Condition is the verdict for the Supplier's Healthy condition. Messages hold no
// timestamps and round figures, so an unchanged situation gives an unchanged condition.
type Condition struct {
	Status  ConditionStatus
	Reason  string
	Message string
}

// Healthy judges a snapshot, in this order:
//   - Suspended → Unknown/Suspended (no traffic is sent, nothing to judge);
//   - Ejected → False/Ejected;
//   - consecutive failures ≥ consecutiveFailures → False/Failing, whatever the volume;
//   - with at least minRequests requests: failure rate ≥ failurePercent → False/Failing,
//     throttled rate ≥ failurePercent → False/Throttled;
//   - ship lag p95 > sla × slowShipFactor (with MinShipSamples shipments) → False/SlowShipping;
//   - with at least minRequests requests and adaptive.slowLatency set: p95 API latency more
//     than twice slowLatency (its weight is then scaled below half) → False/SlowLatency;
//   - fewer than minRequests requests → Unknown/Inconclusive;
//   - otherwise True/Healthy.
//
// It is pure; a is normalised with the config defaults.
func Healthy(s Snapshot, a config.Adaptive) Condition {
	a = normalize(a)
	switch {
	case s.State == StateSuspended:
		return Condition{ConditionUnknown, ReasonSuspended, "the supplier is suspended; no orders are routed to it"}
	case s.State == StateEjected:
		return Condition{ConditionFalse, ReasonEjected, fmt.Sprintf("ejected by outlier detection (%s), ejection %d", s.EjectionReason, s.EjectionCount)}
	case s.ConsecutiveFailures >= a.ConsecutiveFailures:
		return Condition{ConditionFalse, ReasonFailing, fmt.Sprintf("%d consecutive failed calls", s.ConsecutiveFailures)}
	}
	enough := s.Requests >= int64(a.MinRequests)
	if enough && s.FailureRate*100 >= float64(a.FailurePercent) {
		return Condition{ConditionFalse, ReasonFailing, fmt.Sprintf("%d%% of calls failed in the last %s", pct(s.FailureRate), a.Window.Duration)}
	}
	if enough && s.ThrottledRate*100 >= float64(a.FailurePercent) {
		return Condition{ConditionFalse, ReasonThrottled, fmt.Sprintf("%d%% of calls were throttled (429) in the last %s", pct(s.ThrottledRate), a.Window.Duration)}
	}
	if lim := slowShipLimit(&s, a); lim > 0 && s.ShipLagSamples >= MinShipSamples && s.ShipLagP95.Duration > lim {
		return Condition{ConditionFalse, ReasonSlowShipping, fmt.Sprintf("p95 ship lag %s exceeds %.1f × the SLA of %s", s.ShipLagP95.Round(60e9), a.SlowShipFactor, s.ShipSLA.Duration)}
	}
	if lim := a.SlowLatency.Duration; enough && lim > 0 && time.Duration(s.P95LatencyMillis)*time.Millisecond > 2*lim {
		return Condition{ConditionFalse, ReasonSlowLatency, fmt.Sprintf("p95 API latency is more than twice adaptive.slowLatency (%s); its weight is scaled down", lim)}
	}
	if !enough {
		return Condition{ConditionUnknown, ReasonInconclusive, fmt.Sprintf("fewer than %d calls in the last %s", a.MinRequests, a.Window.Duration)}
	}
	return Condition{ConditionTrue, ReasonHealthy, fmt.Sprintf("%d%% of calls succeeded in the last %s", pct(s.SuccessRate), a.Window.Duration)}
}

func pct(f float64) int { return int(math.Round(f * 100)) }
