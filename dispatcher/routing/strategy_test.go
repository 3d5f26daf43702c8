package routing

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/dropship-operator/dropship-operator/dispatcher/config"
	"github.com/dropship-operator/dropship-operator/dispatcher/health"
)

func TestStrategies(t *testing.T) {
	item := func(price float64, lead time.Duration) config.CatalogItem {
		return config.CatalogItem{SKU: "SKU-1", Price: price, LeadTime: config.D(lead)}
	}
	latency := func(ms map[string]int64) map[string]health.Snapshot {
		hs := map[string]health.Snapshot{}
		for n, v := range ms {
			hs[n] = snap(n, func(s *health.Snapshot) { s.P95LatencyMillis = v })
		}
		return hs
	}
	cases := map[string]struct {
		reason   string
		strategy config.Strategy
		items    [3]config.CatalogItem
		health   map[string]health.Snapshot
		tried    []string
		want     string
	}{
		"cheapest": {"b is cheapest", config.StrategyCheapest,
			[3]config.CatalogItem{item(12, 0), item(9, 0), item(10, 0)}, nil, nil, "b"},
		"cheapest unknown price last": {"a has no price: known prices first", config.StrategyCheapest,
			[3]config.CatalogItem{item(0, 0), item(9, 0), item(10, 0)}, nil, nil, "b"},
		"cheapest after refusal": {"b refused: next cheapest", config.StrategyCheapest,
			[3]config.CatalogItem{item(12, 0), item(9, 0), item(10, 0)}, nil, []string{"b"}, "c"},
		"cheapest tie": {"equal prices: listing order", config.StrategyCheapest,
			[3]config.CatalogItem{item(9, 0), item(9, 0), item(10, 0)}, nil, nil, "a"},
		"fastest": {"c has the shortest lead time", config.StrategyFastest,
			[3]config.CatalogItem{item(0, 48*time.Hour), item(0, 24*time.Hour), item(0, 12*time.Hour)}, nil, nil, "c"},
		"fastest latency tiebreak": {"equal lead times: lower p95 API latency", config.StrategyFastest,
			[3]config.CatalogItem{item(0, 24*time.Hour), item(0, 24*time.Hour), item(0, 48*time.Hour)},
			latency(map[string]int64{"a": 900, "b": 120, "c": 10}), nil, "b"},
		"fastest unknown lead last": {"a has no lead time", config.StrategyFastest,
			[3]config.CatalogItem{item(0, 0), item(0, 72*time.Hour), item(0, 48*time.Hour)}, nil, nil, "c"},
		"priority": {"first listed", config.StrategyPriority,
			[3]config.CatalogItem{item(30, 0), item(1, 0), item(2, 0)}, nil, nil, "a"},
		"priority after refusal": {"a refused: next listed", config.StrategyPriority,
			[3]config.CatalogItem{item(30, 0), item(1, 0), item(2, 0)}, nil, []string{"a"}, "b"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			sups := []config.Supplier{
				sup("a", []string{"*"}, tc.items[0]), sup("b", []string{"*"}, tc.items[1]), sup("c", []string{"*"}, tc.items[2]),
			}
			e := compile(t, policy(config.SplitByLine, sups,
				config.Rule{Name: "all", Strategy: tc.strategy, Tiers: []config.Tier{tier("a", 1, "b", 1, "c", 1)}}))
			d := e.Decide(Input{Order: ord("SO1", "广东省", line("1", "SKU-1", 1)), Health: tc.health, Tried: tc.tried, Now: now})
			if d.Supplier != tc.want {
				t.Errorf("%s: chose %q, want %q (%s)", tc.reason, d.Supplier, tc.want, d.Explain.Message)
			}
		})
	}
}

// TestWeightedIsStable: the same line picks the same supplier from a freshly compiled
// engine (a restart), and removing a supplier only moves the lines that were on it.
func TestWeightedIsStable(t *testing.T) {
	sups := []config.Supplier{sup("a", []string{"*"}), sup("b", []string{"*"}), sup("c", []string{"*"})}
	cfg := policy(config.SplitByLine, sups, config.Rule{Name: "all", Tiers: []config.Tier{tier("a", 40, "b", 30, "c", 30)}})
	e1, e2 := compile(t, cfg), compile(t, cfg)
	moved := 0
	for _, o := range manyLines(2000, "广东省", "SKU-1") {
		d1 := e1.Decide(Input{Order: o, Now: now})
		d2 := e2.Decide(Input{Order: o, Now: now.Add(time.Hour)})
		if d1.Supplier != d2.Supplier {
			t.Fatalf("line %s: %q then %q after a restart", d1.Explain.Key, d1.Supplier, d2.Supplier)
		}
		d3 := e1.Decide(Input{Order: o, Now: now, Tried: []string{"c"}})
		if d1.Supplier != "c" && d3.Supplier != d1.Supplier {
			moved++
		}
	}
	if moved != 0 {
		t.Errorf("%d lines not on c moved when c was excluded; rendezvous hashing moves none", moved)
	}
}

func TestTierLoads(t *testing.T) {
	sups := []config.Supplier{sup("a", []string{"*"}), sup("b", []string{"*"}), sup("c", []string{"*"}), sup("d", []string{"*"})}
	ejected := func(names ...string) map[string]health.Snapshot {
		hs := map[string]health.Snapshot{}
		for _, n := range names {
			hs[n] = snap(n, func(s *health.Snapshot) { s.State, s.EjectedUntil = health.StateEjected, now.Add(time.Minute) })
		}
		return hs
	}
	factor := func(f map[string]float64) map[string]health.Snapshot {
		hs := map[string]health.Snapshot{}
		for n, v := range f {
			hs[n] = snap(n, func(s *health.Snapshot) { s.HealthFactor = v })
		}
		return hs
	}
	cases := map[string]struct {
		reason string
		health map[string]health.Snapshot
		tried  []string
		want   []float64 // loads of tier 0 and tier 1
	}{
		"healthy":         {"tier 0 takes everything", nil, nil, []float64{1, 0}},
		"half ejected":    {"tier 0 at 50% health takes 70%", ejected("a"), nil, []float64{0.7, 0.3}},
		"overprovisioned": {"80% health × 1.4 ≥ 100%: no spill", factor(map[string]float64{"a": 0.8, "b": 0.8}), nil, []float64{1, 0}},
		"all ejected":     {"tier 0 down: tier 1 takes all (max ejection 100%)", ejected("a", "b"), nil, []float64{0, 1}},
		"both degraded": {"30% and 40% health: loads scaled up to 100%",
			factor(map[string]float64{"a": 0.3, "b": 0.3, "c": 0.4, "d": 0.4}), nil, []float64{0.42 / 0.98, 0.56 / 0.98}},
		"refusal is not ill health": {"a refused the line: tier 0 is b alone, fully healthy", nil, []string{"a"}, []float64{1, 0}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			cfg := policy(config.SplitByLine, sups, config.Rule{Name: "all", Tiers: []config.Tier{tier("a", 50, "b", 50), tier("c", 50, "d", 50)}})
			cfg.Adaptive.MaxEjectionPercent = 100
			d := compile(t, cfg).Decide(Input{Order: ord("SO1", "广东省", line("1", "SKU-1", 1)), Health: tc.health, Tried: tc.tried, Now: now})
			var got []float64
			for _, tr := range d.Explain.Tiers {
				got = append(got, tr.Load)
			}
			if diff := cmp.Diff(tc.want, got, cmp.Comparer(func(x, y float64) bool { return x-y < 1e-9 && y-x < 1e-9 })); diff != "" {
				t.Errorf("%s: loads (-want +got):\n%s", tc.reason, diff)
			}
		})
	}
}

// TestTierSpillShare: with tier 0 at 50% health, 70% of lines stay in tier 0.
func TestTierSpillShare(t *testing.T) {
	sups := []config.Supplier{sup("a", []string{"*"}), sup("b", []string{"*"}), sup("c", []string{"*"})}
	e := compile(t, policy(config.SplitByLine, sups, config.Rule{Name: "all", Tiers: []config.Tier{tier("a", 50, "b", 50), tier("c", 1)}}))
	hs := map[string]health.Snapshot{"a": snap("a", func(s *health.Snapshot) { s.State, s.EjectedUntil = health.StateEjected, now.Add(time.Minute) })}
	const n = 20000
	got := map[string]int{}
	for _, o := range manyLines(n, "广东省", "SKU-1") {
		got[e.Decide(Input{Order: o, Health: hs, Now: now}).Supplier]++
	}
	if share := float64(got["b"]) / n; share < 0.69 || share > 0.71 || got["a"] != 0 {
		t.Errorf("b took %.3f of lines (want 0.70 ± 0.01), a took %d (want 0), c %d", share, got["a"], got["c"])
	}
}

func TestMaxEjectionPercentGuard(t *testing.T) {
	cases := map[string]struct {
		reason     string
		pct        int
		wantActive []string // suppliers whose ejection is overridden
	}{
		"50%":  {"4 suppliers all ejected, 2 may be: the 2 ending soonest come back", 50, []string{"a", "b"}},
		"25%":  {"only 1 may be ejected", 25, []string{"a", "b", "c"}},
		"100%": {"all may be ejected: nothing overridden, unroutable", 100, nil},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			var sups []config.Supplier
			hs := map[string]health.Snapshot{}
			for i, n := range []string{"d", "c", "b", "a"} {
				sups = append(sups, sup(n, []string{"*"}))
				hs[n] = snap(n, func(s *health.Snapshot) {
					s.State, s.EjectedUntil, s.HealthFactor = health.StateEjected, now.Add(time.Duration(4-i)*time.Minute), 0.5
				})
			}
			cfg := policy(config.SplitByLine, sups, config.Rule{Name: "all", Tiers: []config.Tier{tier("a", 10, "b", 10), tier("c", 10, "d", 10)}})
			cfg.Adaptive.MaxEjectionPercent = tc.pct
			d := compile(t, cfg).Decide(Input{Order: ord("SO1", "广东省", line("1", "SKU-1", 1)), Health: hs, Now: now})
			var active []string
			for _, c := range d.Explain.Candidates {
				if c.EjectionOverridden {
					active = append(active, c.Supplier)
					if !c.Eligible || c.EffectiveWeight != 5 {
						t.Errorf("%s: overridden but eligible=%v weight=%v, want true 5", c.Supplier, c.Eligible, c.EffectiveWeight)
					}
				}
			}
			if diff := cmp.Diff(tc.wantActive, active); diff != "" {
				t.Errorf("%s (-want +got):\n%s", tc.reason, diff)
			}
			if d.Routed != (len(tc.wantActive) > 0) {
				t.Errorf("routed %v", d.Routed)
			}
		})
	}
}
