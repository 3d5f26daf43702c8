package routing

import (
	"math"
	"testing"

	"github.com/dropship-operator/dropship-operator/dispatcher/config"
)

// TestWeightedAllocation routes 100k distinct lines and checks every supplier's share is
// within one percentage point of its weight.
func TestWeightedAllocation(t *testing.T) {
	cases := map[string]struct {
		reason  string
		weights []int
	}{
		"70/30":       {"two suppliers, uneven", []int{70, 30}},
		"40/30/30":    {"the issue's C/D/E scenario", []int{40, 30, 30}},
		"50/25/15/10": {"four suppliers, one small", []int{50, 25, 15, 10}},
		"1/1":         {"even split", []int{1, 1}},
	}
	const n = 100_000
	orders := manyLines(n, "广东省", "SKU-1")
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			var sups []config.Supplier
			var ws []any
			sum := 0
			for i, w := range tc.weights {
				s := string(rune('a' + i))
				sups = append(sups, sup(s, []string{"*"}))
				ws = append(ws, s, w)
				sum += w
			}
			e := compile(t, policy(config.SplitByLine, sups, config.Rule{Name: "all", Strategy: config.StrategyWeighted, Tiers: []config.Tier{tier(ws...)}}))
			got := map[string]int{}
			for _, o := range orders {
				d := e.Decide(Input{Order: o, Now: now})
				got[d.Supplier]++
			}
			worst := 0.0
			for i, w := range tc.weights {
				s := string(rune('a' + i))
				share, want := float64(got[s])/n, float64(w)/float64(sum)
				worst = max(worst, math.Abs(share-want))
				if math.Abs(share-want) > 0.01 {
					t.Errorf("%s: supplier %s got %.4f of lines, want %.4f ± 0.01", tc.reason, s, share, want)
				}
			}
			t.Logf("largest deviation from the weights over %d lines: %.2f percentage points", n, worst*100)
		})
	}
}
