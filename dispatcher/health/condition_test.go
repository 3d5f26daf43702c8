package health

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/dropship-operator/dropship-operator/dispatcher/config"
)

func TestHealthy(t *testing.T) {
	sla := config.D(48 * time.Hour)
	type verdict struct {
		Status ConditionStatus
		Reason string
	}
	cases := map[string]struct {
		reason string
		s      Snapshot
		want   verdict
	}{
		"healthy":      {"enough volume, all fine", Snapshot{State: StateActive, Requests: 50, SuccessRate: 0.99}, verdict{ConditionTrue, ReasonHealthy}},
		"inconclusive": {"below minRequests", Snapshot{State: StateActive, Requests: 3, SuccessRate: 1}, verdict{ConditionUnknown, ReasonInconclusive}},
		"suspended":    {"spec.suspend", Snapshot{State: StateSuspended, Requests: 50}, verdict{ConditionUnknown, ReasonSuspended}},
		"ejected":      {"outlier detection", Snapshot{State: StateEjected, Requests: 50, EjectionReason: EjectedFailurePercent, EjectionCount: 2}, verdict{ConditionFalse, ReasonEjected}},
		"failing":      {"failure rate ≥ failurePercent", Snapshot{State: StateActive, Requests: 50, FailureRate: 0.5}, verdict{ConditionFalse, ReasonFailing}},
		"consecutive":  {"a run of failures counts even at low volume", Snapshot{State: StateActive, Requests: 3, ConsecutiveFailures: 3}, verdict{ConditionFalse, ReasonFailing}},
		"failing low volume": {"a high failure rate on 3 calls is not judged",
			Snapshot{State: StateActive, Requests: 3, FailureRate: 0.66}, verdict{ConditionUnknown, ReasonInconclusive}},
		"throttled": {"throttled rate ≥ failurePercent", Snapshot{State: StateActive, Requests: 50, ThrottledRate: 0.6}, verdict{ConditionFalse, ReasonThrottled}},
		"slow shipping": {"p95 ship lag over SLA × 1.5",
			Snapshot{State: StateActive, Requests: 50, ShipLagSamples: 10, ShipLagP95: config.D(80 * time.Hour), ShipSLA: sla}, verdict{ConditionFalse, ReasonSlowShipping}},
		"slow latency": {"p95 over twice adaptive.slowLatency",
			Snapshot{State: StateActive, Requests: 50, SuccessRate: 1, P95LatencyMillis: 2600}, verdict{ConditionFalse, ReasonSlowLatency}},
		"slowish latency": {"p95 over slowLatency but under twice it only scales the weight",
			Snapshot{State: StateActive, Requests: 50, SuccessRate: 1, P95LatencyMillis: 900}, verdict{ConditionTrue, ReasonHealthy}},
		"slow latency low volume": {"latency on a few calls is not judged",
			Snapshot{State: StateActive, Requests: 3, SuccessRate: 1, P95LatencyMillis: 2600}, verdict{ConditionUnknown, ReasonInconclusive}},
		"slow shipping low volume": {"shipping evidence stands on its own samples",
			Snapshot{State: StateActive, Requests: 0, ShipLagSamples: 10, ShipLagP95: config.D(80 * time.Hour), ShipSLA: sla}, verdict{ConditionFalse, ReasonSlowShipping}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			a := adaptive()
			a.SlowLatency = config.D(500 * time.Millisecond)
			c := Healthy(tc.s, a)
			if diff := cmp.Diff(tc.want, verdict{c.Status, c.Reason}); diff != "" {
				t.Errorf("%s (-want +got):\n%s (message %q)", tc.reason, diff, c.Message)
			}
			if c.Message == "" {
				t.Errorf("%s: empty message", tc.reason)
			}
		})
	}
}

// TestHealthyMessageStable: the message of an unchanged situation does not change with
// time or with tiny figure changes (no timestamps, rounded figures).
func TestHealthyMessageStable(t *testing.T) {
	a := Snapshot{State: StateEjected, ObservedAt: t0, EjectedUntil: t0.Add(time.Minute), EjectionReason: EjectedConsecutiveFailures, EjectionCount: 1, Requests: 50}
	b := a
	b.ObservedAt, b.EjectedUntil = t0.Add(10*time.Second), t0.Add(2*time.Minute)
	if x, y := Healthy(a, adaptive()), Healthy(b, adaptive()); x != y {
		t.Errorf("conditions differ: %+v vs %+v", x, y)
	}
	h1 := Snapshot{State: StateActive, Requests: 50, SuccessRate: 0.9901}
	h2 := h1
	h2.SuccessRate = 0.9899
	if x, y := Healthy(h1, adaptive()), Healthy(h2, adaptive()); x != y {
		t.Errorf("rounded messages differ: %q vs %q", x.Message, y.Message)
	}
}
