package health

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/dropship-operator/dropship-operator/dispatcher/config"
)

func i64(v int64) *int64 { return &v }

func TestAggregate(t *testing.T) {
	a := Snapshot{Supplier: "c", ObservedAt: t0, Requests: 30, SuccessRate: 1, P50LatencyMillis: 40, P95LatencyMillis: 90,
		OrdersToday: 10, CapacityRemainingToday: i64(90), ShipLagSamples: 2, ShipLagP95: config.D(time.Hour),
		LastSuccessTime: t0, State: StateActive, Circuit: CircuitClosed, HealthFactor: 1, Factors: Factors{1, 1, 1, 1}}
	b := Snapshot{Supplier: "c", ObservedAt: t0.Add(time.Second), Requests: 10, SuccessRate: 0.5, FailureRate: 0.5,
		P50LatencyMillis: 30, P95LatencyMillis: 400, OrdersToday: 5, CapacityRemainingToday: i64(40),
		CapacityRemainingThisHour: i64(3), ConsecutiveFailures: 4, LastError: "HTTP 502", LastErrorTime: t0.Add(-time.Second),
		State: StateEjected, EjectedUntil: t0.Add(time.Minute), EjectionCount: 2, EjectionReason: EjectedConsecutiveFailures,
		Circuit: CircuitOpen, HealthFactor: 0.6, Factors: Factors{0.6, 1, 1, 1}, Inconclusive: true}
	cases := map[string]struct {
		reason string
		in     []Snapshot
		want   Snapshot
	}{
		"none": {"no dispatcher reported", nil, Snapshot{}},
		"one":  {"a single dispatcher's figures are the aggregate", []Snapshot{b}, b},
		"two": {"sums, weighted rates, worst state, largest quantiles, smallest capacity", []Snapshot{a, b}, Snapshot{
			Supplier: "c", ObservedAt: t0.Add(time.Second), Requests: 40, SuccessRate: 35.0 / 40, FailureRate: 5.0 / 40,
			P50LatencyMillis: 40, P95LatencyMillis: 400, OrdersToday: 15, CapacityRemainingToday: i64(40),
			CapacityRemainingThisHour: i64(3), ShipLagSamples: 2, ShipLagP95: config.D(time.Hour), ConsecutiveFailures: 4,
			LastSuccessTime: t0, LastError: "HTTP 502", LastErrorTime: t0.Add(-time.Second),
			State: StateEjected, EjectedUntil: t0.Add(time.Minute), EjectionCount: 2, EjectionReason: EjectedConsecutiveFailures,
			Circuit: CircuitOpen, HealthFactor: 36.0 / 40, Factors: Factors{36.0 / 40, 1, 1, 1}}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, Aggregate(tc.in), approx); diff != "" {
				t.Errorf("%s (-want +got):\n%s", tc.reason, diff)
			}
		})
	}
}
