package health

import (
	"math"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/dropship-operator/dropship-operator/dispatcher/config"
)

var approx = cmp.Comparer(func(x, y float64) bool { return math.Abs(x-y) < 1e-9 })

func TestComputeFactors(t *testing.T) {
	sla := config.D(48 * time.Hour)
	cases := map[string]struct {
		reason string
		a      func(*config.Adaptive)
		s      Snapshot
		want   Factors
	}{
		"healthy": {"no failures, no throttling, fast", nil,
			Snapshot{Requests: 100, P95LatencyMillis: 50}, Factors{1, 1, 1, 1}},
		"failing": {"20% failures → success factor 0.8", nil,
			Snapshot{Requests: 100, FailureRate: 0.2}, Factors{0.8, 1, 1, 1}},
		"throttled": {"30% 429s penalised", nil,
			Snapshot{Requests: 100, ThrottledRate: 0.3}, Factors{1, 0.7, 1, 1}},
		"throttling not penalised": {"penalizeThrottling off", func(a *config.Adaptive) { a.PenalizeThrottling = false },
			Snapshot{Requests: 100, ThrottledRate: 0.3}, Factors{1, 1, 1, 1}},
		"inconclusive": {"9 requests < minRequests 10: nothing judged", nil,
			Snapshot{Requests: 9, FailureRate: 0.9, ThrottledRate: 0.1}, Factors{1, 1, 1, 1}},
		"slow ship": {"p95 96h > 48h × 1.5 = 72h → 72/96", nil,
			Snapshot{ShipLagSamples: 5, ShipLagP95: config.D(96 * time.Hour), ShipSLA: sla}, Factors{1, 1, 0.75, 1}},
		"slow ship within limit": {"p95 70h ≤ 72h", nil,
			Snapshot{ShipLagSamples: 50, ShipLagP95: config.D(70 * time.Hour), ShipSLA: sla}, Factors{1, 1, 1, 1}},
		"slow ship few samples": {"4 shipments < MinShipSamples", nil,
			Snapshot{ShipLagSamples: 4, ShipLagP95: config.D(96 * time.Hour), ShipSLA: sla}, Factors{1, 1, 1, 1}},
		"slow ship no SLA": {"no promise, no penalty", nil,
			Snapshot{ShipLagSamples: 50, ShipLagP95: config.D(960 * time.Hour)}, Factors{1, 1, 1, 1}},
		"slow latency": {"p95 2s against slowLatency 500ms → 0.25", func(a *config.Adaptive) { a.SlowLatency = config.D(500 * time.Millisecond) },
			Snapshot{Requests: 20, P95LatencyMillis: 2000}, Factors{1, 1, 1, 0.25}},
		"slow latency off": {"slowLatency unset", nil,
			Snapshot{Requests: 20, P95LatencyMillis: 2000}, Factors{1, 1, 1, 1}},
		"combined": {"every penalty multiplies", func(a *config.Adaptive) { a.SlowLatency = config.D(time.Second) },
			Snapshot{Requests: 50, FailureRate: 0.1, ThrottledRate: 0.5, P95LatencyMillis: 2000,
				ShipLagSamples: 9, ShipLagP95: config.D(144 * time.Hour), ShipSLA: sla}, Factors{0.9, 0.5, 0.5, 0.5}},
		"disabled": {"adaptive off: all ones", func(a *config.Adaptive) { a.Enabled = false },
			Snapshot{Requests: 100, FailureRate: 1}, Factors{1, 1, 1, 1}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			a := adaptive()
			if tc.a != nil {
				tc.a(&a)
			}
			if diff := cmp.Diff(tc.want, ComputeFactors(&tc.s, a), approx); diff != "" {
				t.Errorf("%s (-want +got):\n%s", tc.reason, diff)
			}
		})
	}
	if got := (Factors{0.9, 0.5, 0.5, 0.5}).Product(); math.Abs(got-0.1125) > 1e-12 {
		t.Errorf("Product = %v, want 0.1125", got)
	}
}

func TestEffectiveWeight(t *testing.T) {
	cases := map[string]struct {
		reason string
		s      *Snapshot
		want   float64
	}{
		"no snapshot":   {"no figures yet: base weight", nil, 40},
		"active":        {"base × health factor", &Snapshot{State: StateActive, HealthFactor: 0.5}, 20},
		"ejected":       {"ejected until after now", &Snapshot{State: StateEjected, EjectedUntil: t0.Add(time.Second), HealthFactor: 1}, 0},
		"ejection over": {"the ejection ended at now", &Snapshot{State: StateEjected, EjectedUntil: t0, HealthFactor: 0.5}, 20},
		"suspended":     {"suspended suppliers get nothing", &Snapshot{State: StateSuspended, HealthFactor: 1}, 0},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if got := EffectiveWeight(40, tc.s, t0); got != tc.want {
				t.Errorf("%s: got %v, want %v", tc.reason, got, tc.want)
			}
		})
	}
}

// TestTrackerFeedsWeights: figures recorded into a Tracker come out as the factor.
func TestTrackerFeedsWeights(t *testing.T) {
	c := newClock(t0)
	cfg := testConfig()
	cfg.Adaptive.ConsecutiveFailures = 1000
	cfg.Adaptive.FailurePercent = 90
	tr := newTracker(t, cfg, c)
	for i := range 20 {
		o := Success
		if i%4 == 0 {
			o = Throttled
		}
		tr.Record("a", o, 10*time.Millisecond, nil)
	}
	s := tr.Snapshot("a")
	if math.Abs(s.HealthFactor-0.75) > 1e-9 || EffectiveWeight(40, &s, c.Now()) != 30 {
		t.Errorf("25%% throttled: factor %v weight %v, want 0.75 30", s.HealthFactor, EffectiveWeight(40, &s, c.Now()))
	}
}

func TestPercent(t *testing.T) {
	cases := map[float64]string{0: "0", 1: "100", 0.985: "98.5", 0.98765: "98.77", 0.0001: "0.01", 0.00004: "0", 1.5: "100", -1: "0"}
	for in, want := range cases {
		if got := Percent(in); got != want {
			t.Errorf("Percent(%v) = %q, want %q", in, got, want)
		}
	}
}
