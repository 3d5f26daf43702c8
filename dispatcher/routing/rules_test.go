package routing

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/dropship-operator/dropship-operator/dispatcher/config"
	"github.com/dropship-operator/dropship-operator/dispatcher/health"
	"github.com/dropship-operator/dropship-operator/dispatcher/order"
)

// rulesPolicy: south (regions), parts (SKU list or prefix), bulk (CEL), rest (catch-all).
func rulesPolicy(expr string) *config.DispatcherConfig {
	sups := []config.Supplier{sup("s", []string{"*"}), sup("p", []string{"*"}), sup("x", []string{"*"}), sup("r", []string{"*"})}
	return policy(config.SplitByLine, sups,
		config.Rule{Name: "south", Match: config.Match{Regions: []string{"广东", "广西壮族自治区"}}, Tiers: []config.Tier{tier("s", 1)}},
		config.Rule{Name: "parts", Match: config.Match{SKUs: []string{"PART-1", "BOLT"}, SKUPrefixes: []string{"PART-"}}, Tiers: []config.Tier{tier("p", 1)}},
		config.Rule{Name: "bulk", Match: config.Match{Expression: expr}, Tiers: []config.Tier{tier("x", 1)}},
		config.Rule{Name: "rest", Tiers: []config.Tier{tier("r", 1)}},
	)
}

func TestRuleMatching(t *testing.T) {
	cases := map[string]struct {
		reason  string
		expr    string
		o       *order.Order
		want    []RuleTrace
		regions []string
	}{
		"region star": {reason: "a rule listing \"*\" serves every province", expr: `true`, o: ord("SO1", "西藏自治区", line("1", "A", 1)),
			want: []RuleTrace{{Rule: "south", Matched: true}}, regions: []string{"*"}},
		"region": {"广西 matches 广西壮族自治区", `line.quantity > 10.0`, ord("SO1", "广西", line("1", "A", 1)),
			[]RuleTrace{{Rule: "south", Matched: true}}, nil},
		"sku listed and prefixed": {"PART-1 is listed and has the prefix: both set parts match", `line.quantity > 10.0`, ord("SO1", "浙江省", line("1", "PART-1", 1)),
			[]RuleTrace{{Rule: "south", Reason: RegionMismatch}, {Rule: "parts", Matched: true}}, nil},
		"sku listed only": {"BOLT is listed but lacks the prefix: all set parts must match", `line.quantity > 10.0`, ord("SO1", "浙江省", line("1", "BOLT", 1)),
			[]RuleTrace{{Rule: "south", Reason: RegionMismatch}, {Rule: "parts", Reason: SKUMismatch}, {Rule: "bulk", Reason: ExpressionFalse}, {Rule: "rest", Matched: true}}, nil},
		"sku prefixed only": {"PART-9 has the prefix but is not listed", `line.quantity > 10.0`, ord("SO1", "浙江省", line("1", "PART-9", 1)),
			[]RuleTrace{{Rule: "south", Reason: RegionMismatch}, {Rule: "parts", Reason: SKUMismatch}, {Rule: "bulk", Reason: ExpressionFalse}, {Rule: "rest", Matched: true}}, nil},
		"cel true": {"quantity 20 > 10", `line.quantity > 10`, ord("SO1", "浙江省", line("1", "A", 20)),
			[]RuleTrace{{Rule: "south", Reason: RegionMismatch}, {Rule: "parts", Reason: SKUMismatch}, {Rule: "bulk", Matched: true}}, nil},
		"cel false": {"quantity 2 ≤ 10: falls through to rest", `line.quantity > 10`, ord("SO1", "浙江省", line("1", "A", 2)),
			[]RuleTrace{{Rule: "south", Reason: RegionMismatch}, {Rule: "parts", Reason: SKUMismatch}, {Rule: "bulk", Reason: ExpressionFalse}, {Rule: "rest", Matched: true}}, nil},
		"cel over order": {"order fields and lines are visible", `order.shipTo.city == "深圳市" && order.lines.size() == 2 && line.sku.startsWith("A")`,
			ord("SO1", "浙江省", line("1", "A", 1), line("2", "B", 1)),
			[]RuleTrace{{Rule: "south", Reason: RegionMismatch}, {Rule: "parts", Reason: SKUMismatch}, {Rule: "bulk", Matched: true}}, nil},
		"cel error": {"a missing key is an evaluation error: no match, recorded", `order.nosuchfield == 1`, ord("SO1", "浙江省", line("1", "A", 1)),
			[]RuleTrace{{Rule: "south", Reason: RegionMismatch}, {Rule: "parts", Reason: SKUMismatch}, {Rule: "bulk", Reason: ExpressionError, Error: "no such key: nosuchfield"}, {Rule: "rest", Matched: true}}, nil},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			cfg := rulesPolicy(tc.expr)
			if tc.regions != nil {
				cfg.Rules[0].Match.Regions = tc.regions
			}
			d := compile(t, cfg).Decide(Input{Order: tc.o, Now: now})
			if diff := cmp.Diff(tc.want, d.Explain.Rules); diff != "" {
				t.Errorf("%s (-want +got):\n%s", tc.reason, diff)
			}
			if last := tc.want[len(tc.want)-1]; d.Rule != last.Rule {
				t.Errorf("decided by rule %q, want %q", d.Rule, last.Rule)
			}
		})
	}
}

func TestCompileErrors(t *testing.T) {
	cases := map[string]struct {
		reason string
		mut    func(*config.DispatcherConfig)
		want   []string // fields
	}{
		"syntax": {"unbalanced parenthesis", func(c *config.DispatcherConfig) { c.Rules[2].Match.Expression = "(line.quantity > 1" },
			[]string{"rules[2].match.expression"}},
		"not boolean": {"an expression must be a predicate", func(c *config.DispatcherConfig) { c.Rules[2].Match.Expression = `"text"` },
			[]string{"rules[2].match.expression"}},
		"unknown variable": {"only order and line are declared", func(c *config.DispatcherConfig) { c.Rules[2].Match.Expression = "customer == 1" },
			[]string{"rules[2].match.expression"}},
		"unknown supplier": {"a tier names a supplier not in suppliers", func(c *config.DispatcherConfig) { c.Rules[0].Tiers[0].Suppliers[0].Name = "ghost" },
			[]string{"rules[0].tiers[0].suppliers[0].name"}},
		"bad strategy and weight": {"every problem is reported", func(c *config.DispatcherConfig) {
			c.Rules[1].Strategy = "Random"
			c.Rules[3].Tiers[0].Suppliers[0].Weight = -1
		}, []string{"rules[1].strategy", "rules[3].tiers[0].suppliers[0].weight"}},
		"no tiers": {"a rule must name suppliers", func(c *config.DispatcherConfig) { c.Rules[3].Tiers = nil }, []string{"rules[3].tiers"}},
		"no rules": {"a policy must have a rule", func(c *config.DispatcherConfig) { c.Rules = nil }, []string{"rules"}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			cfg := rulesPolicy("line.quantity > 1")
			tc.mut(cfg)
			_, err := Compile(cfg)
			var verr config.ValidationError
			if !errors.As(err, &verr) {
				t.Fatalf("%s: error %v is not a config.ValidationError", tc.reason, err)
			}
			var fields []string
			for _, fe := range verr {
				fields = append(fields, fe.Field)
			}
			if diff := cmp.Diff(tc.want, fields); diff != "" {
				t.Errorf("%s: fields (-want +got):\n%s", tc.reason, diff)
			}
		})
	}
	if _, err := Compile(rulesPolicy(`line.sku.startsWith("A") && order.currency == "CNY"`)); err != nil {
		t.Errorf("a valid policy: %v", err)
	}
}

func TestWholeOrder(t *testing.T) {
	items := func(skus ...string) []config.CatalogItem {
		var out []config.CatalogItem
		for i, s := range skus {
			out = append(out, config.CatalogItem{SKU: s, Price: float64(10 + i)})
		}
		return out
	}
	sups := []config.Supplier{
		sup("a", []string{"*"}, items("SKU-1")...), sup("b", []string{"*"}, items("SKU-1", "SKU-2")...),
		sup("c", []string{"*"}, items("SKU-2", "SKU-1")...),
	}
	cfg := policy(config.SplitWholeOrder, sups,
		config.Rule{Name: "one", Match: config.Match{SKUs: []string{"SKU-1"}}, Tiers: []config.Tier{tier("a", 1)}},
		config.Rule{Name: "all", Strategy: config.StrategyCheapest, Tiers: []config.Tier{tier("a", 1, "b", 1, "c", 1)}})
	e := compile(t, cfg)
	o := ord("SO9", "广东省", line("1", "SKU-1", 2), line("2", "SKU-2", 1))
	d := e.Decide(Input{Order: o, Line: 5, Now: now})
	got := []any{d.Supplier, d.Rule, d.Lines, d.Explain.Key, d.Explain.Rules[0].Reason, outcomeOf(d).Excluded}
	// Totals: b = 2×10 + 11 = 31, c = 2×11 + 10 = 32; a lacks SKU-2.
	want := []any{"b", "all", []int{0, 1}, order.LineID("kingdee-main", "SO9", ""), SKUMismatch,
		map[string]Reason{"a": NotInCatalog, "b": "", "c": ""}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("WholeOrder (-want +got):\n%s", diff)
	}
	if e.Split() != config.SplitWholeOrder {
		t.Errorf("Split() = %s", e.Split())
	}
}

// TestExplainJSON: the explain survives a JSON round trip and carries no personal data.
func TestExplainJSON(t *testing.T) {
	e := compile(t, rulesPolicy("line.quantity > 10"))
	hs := map[string]health.Snapshot{"r": snap("r", func(s *health.Snapshot) { s.HealthFactor = 0.8 })}
	d := e.Decide(Input{Order: ord("SO1", "浙江省", line("1", "A", 1)), Health: hs, Now: now})
	b, err := json.Marshal(d)
	if err != nil {
		t.Fatalf("marshal: %v", err)
	}
	var back Decision
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatalf("unmarshal: %v", err)
	}
	if diff := cmp.Diff(d, back); diff != "" {
		t.Errorf("round trip (-want +got):\n%s", diff)
	}
	for _, pii := range []string{"13812345678", "张三", "科技园"} {
		if strings.Contains(string(b), pii) {
			t.Errorf("explain contains personal data %q: %s", pii, b)
		}
	}
	if c := back.Explain.Candidates[0]; c.EffectiveWeight != 0.8 || c.BaseWeight != 1 || back.Supplier != "r" {
		t.Errorf("weights in explain: %+v", c)
	}
}

// TestCompileLeavesConfigAlone: Compile reads the config without filling its defaults,
// so a config shared with other goroutines is never written.
func TestCompileLeavesConfigAlone(t *testing.T) {
	cfg := rulesPolicy("true")
	cfg.Split, cfg.Rules[3].Strategy = "", ""
	cfg.Suppliers[0].Capacity = config.Capacity{}
	before := fmt.Sprintf("%#v", *cfg)
	e := compile(t, cfg)
	if after := fmt.Sprintf("%#v", *cfg); after != before {
		t.Errorf("Compile modified the config")
	}
	if e.Split() != config.SplitByLine {
		t.Errorf("Split() = %q, want ByLine by default", e.Split())
	}
	d := e.Decide(Input{Order: ord("SO1", "浙江省", line("1", "A", 1)), Now: now, Line: 0})
	if d.Explain.Strategy != config.StrategyWeighted {
		t.Errorf("strategy %q, want Weighted by default", d.Explain.Strategy)
	}
}
