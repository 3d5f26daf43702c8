package routing

import (
	"errors"
	"math"
	"testing"
	"time"

	"github.com/dropship-operator/dropship-operator/dispatcher/config"
	"github.com/dropship-operator/dropship-operator/dispatcher/health"
)

// TestHealthDrivesRouting runs the scenario through a real health.Tracker: C=40,
// D=30, E=30; C fails until it is ejected and its share moves to D and E; after the
// ejection it comes back at reduced weight while its failures are still in the window,
// and at full weight once they have left it.
func TestHealthDrivesRouting(t *testing.T) {
	sups := []config.Supplier{sup("c", []string{"*"}), sup("d", []string{"*"}), sup("e", []string{"*"})}
	cfg := policy(config.SplitByLine, sups, config.Rule{Name: "main", Strategy: config.StrategyWeighted, Tiers: []config.Tier{tier("c", 40, "d", 30, "e", 30)}})
	cfg.Adaptive = config.Adaptive{Enabled: true, Window: config.D(5 * time.Minute), MinRequests: 10, ConsecutiveFailures: 5,
		FailurePercent: 50, BaseEjectionTime: config.D(time.Minute), MaxEjectionPercent: 50}
	cfg.Default()
	clock := now
	tr, err := health.New(cfg, health.Options{Clock: func() time.Time { return clock }})
	if err != nil {
		t.Fatal(err)
	}
	e := compile(t, cfg)
	orders := manyLines(10_000, "广东省", "SKU-1")
	shares := func() map[string]float64 {
		hs := tr.Snapshots()
		n := map[string]float64{}
		for _, o := range orders {
			n[e.Decide(Input{Order: o, Health: hs, Now: clock}).Supplier]++
		}
		for k := range n {
			n[k] /= float64(len(orders))
		}
		return n
	}
	check := func(stage string, want map[string]float64) {
		t.Helper()
		got := shares()
		for _, s := range []string{"c", "d", "e"} {
			if math.Abs(got[s]-want[s]) > 0.02 {
				t.Errorf("%s: %s has %.3f of lines, want %.3f ± 0.02 (all: %v)", stage, s, got[s], want[s], got)
			}
		}
	}
	for range 20 {
		for _, s := range []string{"c", "d", "e"} {
			tr.Record(s, health.Success, 50*time.Millisecond, nil)
		}
	}
	check("healthy", map[string]float64{"c": 0.4, "d": 0.3, "e": 0.3})

	for range 5 {
		tr.Record("c", health.Transient, 50*time.Millisecond, errors.New("HTTP 502"))
	}
	if s := tr.Snapshot("c"); s.State != health.StateEjected {
		t.Fatalf("c after 5 failures: %s, want Ejected", s.State)
	}
	check("c ejected", map[string]float64{"c": 0, "d": 0.5, "e": 0.5})

	clock = clock.Add(time.Minute) // ejection over; 5 failures of 25 calls still in the window
	c := tr.Snapshot("c")
	if c.State != health.StateActive || math.Abs(c.HealthFactor-0.8) > 1e-9 {
		t.Fatalf("c back: state %s factor %v, want Active 0.8", c.State, c.HealthFactor)
	}
	check("c recovering", map[string]float64{"c": 32.0 / 92, "d": 30.0 / 92, "e": 30.0 / 92})

	clock = clock.Add(5 * time.Minute) // the failures left the window
	check("c healed", map[string]float64{"c": 0.4, "d": 0.3, "e": 0.3})
}
