package routing

import (
	"testing"

	"github.com/dropship-operator/dropship-operator/dispatcher/config"
	"github.com/dropship-operator/dropship-operator/dispatcher/health"
)

// benchEngine is a realistic policy: three rules (region, SKU prefix, CEL catch-all), two
// tiers of weighted suppliers, health snapshots for all.
func benchEngine(b *testing.B, expr string) (*Engine, map[string]health.Snapshot) {
	sups := []config.Supplier{
		sup("a", []string{"广东省", "广西壮族自治区"}), sup("b", []string{"*"}), sup("c", []string{"*"}),
		sup("d", []string{"*"}), sup("e", []string{"*"}),
	}
	e := compile(b, policy(config.SplitByLine, sups,
		config.Rule{Name: "north", Match: config.Match{Regions: []string{"北京市", "天津市"}}, Strategy: config.StrategyWeighted, Tiers: []config.Tier{tier("b", 1)}},
		config.Rule{Name: "parts", Match: config.Match{SKUPrefixes: []string{"PART-"}}, Strategy: config.StrategyPriority, Tiers: []config.Tier{tier("c", 1)}},
		config.Rule{Name: "rest", Match: config.Match{Expression: expr}, Strategy: config.StrategyWeighted,
			Tiers: []config.Tier{tier("a", 40, "b", 30, "c", 30), tier("d", 50, "e", 50)}},
	))
	hs := map[string]health.Snapshot{}
	for _, n := range []string{"a", "b", "c", "d", "e"} {
		hs[n] = snap(n, func(s *health.Snapshot) { s.HealthFactor = 0.9; s.CapacityRemainingToday = ptr(int64(100)) })
	}
	return e, hs
}

func benchDecide(b *testing.B, expr string) {
	e, hs := benchEngine(b, expr)
	orders := manyLines(1024, "广东省", "SKU-1")
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		d := e.Decide(Input{Order: orders[i&1023], Health: hs, Now: now})
		if !d.Routed {
			b.Fatal(d.Explain.Message)
		}
	}
}

// BenchmarkDecide is one ByLine decision through three rules, two tiers and five
// candidates, explain included.
func BenchmarkDecide(b *testing.B) { benchDecide(b, "") }

// BenchmarkDecideCEL is the same with a CEL expression on the matching rule.
func BenchmarkDecideCEL(b *testing.B) {
	benchDecide(b, `line.quantity >= 1 && order.currency == "CNY"`)
}
