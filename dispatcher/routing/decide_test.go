package routing

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/dropship-operator/dropship-operator/dispatcher/config"
	"github.com/dropship-operator/dropship-operator/dispatcher/health"
	"github.com/dropship-operator/dropship-operator/dispatcher/order"
)

// outcome is the part of a Decision the tables compare.
type outcome struct {
	Supplier   string
	Unroutable Reason
	Excluded   map[string]Reason
}

func outcomeOf(d Decision) outcome {
	o := outcome{Supplier: d.Supplier, Unroutable: d.Unroutable, Excluded: map[string]Reason{}}
	for _, c := range d.Explain.Candidates {
		o.Excluded[c.Supplier] = c.Excluded
	}
	return o
}

func TestExclusions(t *testing.T) {
	base := func() *config.DispatcherConfig {
		return policy(config.SplitByLine, []config.Supplier{sup("a", []string{"*"}), sup("b", []string{"广东省"})},
			config.Rule{Name: "all", Strategy: config.StrategyPriority, Tiers: []config.Tier{tier("a", 50, "b", 50)}})
	}
	hs := func(mut func(*health.Snapshot)) map[string]health.Snapshot {
		return map[string]health.Snapshot{"a": snap("a", mut), "b": snap("b", nil)}
	}
	cases := map[string]struct {
		reason string
		cfg    func(*config.DispatcherConfig)
		in     Input
		want   outcome
	}{
		"eligible": {reason: "both eligible, Priority takes the first listed",
			want: outcome{Supplier: "a", Excluded: map[string]Reason{"a": "", "b": ""}}},
		"not in catalog": {reason: "a's catalog lacks the SKU",
			cfg:  func(c *config.DispatcherConfig) { c.Suppliers[0].Catalog.SKUs = []config.CatalogItem{{SKU: "OTHER"}} },
			want: outcome{Supplier: "b", Excluded: map[string]Reason{"a": NotInCatalog, "b": ""}}},
		"out of stock": {reason: "a tracks stock and has fewer units than the line's quantity",
			cfg: func(c *config.DispatcherConfig) {
				c.Suppliers[0].Catalog.SKUs = []config.CatalogItem{{SKU: "SKU-1", Stock: stock(1)}}
			},
			in:   Input{Order: ord("SO1", "广东省", line("1", "SKU-1", 2))},
			want: outcome{Supplier: "b", Excluded: map[string]Reason{"a": OutOfStock, "b": ""}}},
		"region not served": {reason: "b serves only 广东; the order goes to 浙江",
			in:   Input{Order: ord("SO1", "浙江省", line("1", "SKU-1", 1))},
			want: outcome{Supplier: "a", Excluded: map[string]Reason{"a": "", "b": RegionNotServed}}},
		"region without suffix": {reason: "广东 and 广东省 are the same province",
			in:   Input{Order: ord("SO1", "广东", line("1", "SKU-1", 1)), Tried: []string{"a"}},
			want: outcome{Supplier: "b", Excluded: map[string]Reason{"a": AlreadyRefused, "b": ""}}},
		"suspended in config": {reason: "spec.suspend on the Supplier",
			cfg:  func(c *config.DispatcherConfig) { c.Suppliers[0].Suspend = true },
			want: outcome{Supplier: "b", Excluded: map[string]Reason{"a": Suspended, "b": ""}}},
		"suspended in snapshot": {reason: "the tracker reports the supplier suspended",
			in:   Input{Health: hs(func(s *health.Snapshot) { s.State = health.StateSuspended })},
			want: outcome{Supplier: "b", Excluded: map[string]Reason{"a": Suspended, "b": ""}}},
		"circuit open": {reason: "delivery's breaker is open",
			in:   Input{Health: hs(func(s *health.Snapshot) { s.Circuit = health.CircuitOpen })},
			want: outcome{Supplier: "b", Excluded: map[string]Reason{"a": CircuitOpen, "b": ""}}},
		"circuit half open": {reason: "a half-open breaker lets probes through",
			in:   Input{Health: hs(func(s *health.Snapshot) { s.Circuit = health.CircuitHalfOpen })},
			want: outcome{Supplier: "a", Excluded: map[string]Reason{"a": "", "b": ""}}},
		"ejected": {reason: "outlier detection ejected a until after now",
			in: Input{Health: hs(func(s *health.Snapshot) {
				s.State, s.EjectedUntil = health.StateEjected, now.Add(time.Minute)
			})},
			want: outcome{Supplier: "b", Excluded: map[string]Reason{"a": Ejected, "b": ""}}},
		"ejection over": {reason: "a snapshot taken before the ejection ended: at Now it is over",
			in: Input{Health: hs(func(s *health.Snapshot) {
				s.State, s.EjectedUntil = health.StateEjected, now.Add(-time.Second)
			})},
			want: outcome{Supplier: "a", Excluded: map[string]Reason{"a": "", "b": ""}}},
		"day quota": {reason: "no capacity left today",
			in:   Input{Health: hs(func(s *health.Snapshot) { s.CapacityRemainingToday = ptr(int64(0)) })},
			want: outcome{Supplier: "b", Excluded: map[string]Reason{"a": QuotaExhausted, "b": ""}}},
		"pending fill the quota": {reason: "2 left today, 2 lines routed since the snapshot",
			in:   Input{Health: hs(func(s *health.Snapshot) { s.CapacityRemainingToday = ptr(int64(2)) }), Pending: map[string]int64{"a": 2}},
			want: outcome{Supplier: "b", Excluded: map[string]Reason{"a": QuotaExhausted, "b": ""}}},
		"pending within quota": {reason: "2 left today, 1 line routed since the snapshot",
			in:   Input{Health: hs(func(s *health.Snapshot) { s.CapacityRemainingToday = ptr(int64(2)) }), Pending: map[string]int64{"a": 1}},
			want: outcome{Supplier: "a", Excluded: map[string]Reason{"a": "", "b": ""}}},
		"hour quota": {reason: "no capacity left this hour",
			in: Input{Health: hs(func(s *health.Snapshot) {
				s.CapacityRemainingToday, s.CapacityRemainingThisHour = ptr(int64(5)), ptr(int64(0))
			})},
			want: outcome{Supplier: "b", Excluded: map[string]Reason{"a": HourlyQuotaFull, "b": ""}}},
		"after cutoff": {reason: "past the cutoff the line counts against tomorrow, which is full",
			in: Input{Health: hs(func(s *health.Snapshot) {
				s.CapacityRemainingToday, s.AfterCutoff = ptr(int64(0)), true
			})},
			want: outcome{Supplier: "b", Excluded: map[string]Reason{"a": AfterCutoff, "b": ""}}},
		"already refused": {reason: "a refused this line before",
			in:   Input{Tried: []string{"a"}},
			want: outcome{Supplier: "b", Excluded: map[string]Reason{"a": AlreadyRefused, "b": ""}}},
		"zero base weight": {reason: "a drained with weight 0",
			cfg:  func(c *config.DispatcherConfig) { c.Rules[0].Tiers[0].Suppliers[0].Weight = 0 },
			want: outcome{Supplier: "b", Excluded: map[string]Reason{"a": ZeroWeight, "b": ""}}},
		"zero health": {reason: "a health factor of 0 leaves no weight",
			in:   Input{Health: hs(func(s *health.Snapshot) { s.HealthFactor = 0 })},
			want: outcome{Supplier: "b", Excluded: map[string]Reason{"a": ZeroWeight, "b": ""}}},
		"none eligible": {reason: "every candidate excluded: unroutable with the explain",
			in:   Input{Tried: []string{"a", "b"}},
			want: outcome{Unroutable: NoEligibleSupplier, Excluded: map[string]Reason{"a": AlreadyRefused, "b": AlreadyRefused}}},
		"no rule": {reason: "the only rule serves 浙江",
			cfg:  func(c *config.DispatcherConfig) { c.Rules[0].Match.Regions = []string{"浙江省"} },
			want: outcome{Unroutable: NoRuleMatched, Excluded: map[string]Reason{}}},
		"bad line index": {reason: "a line index outside the order",
			in:   Input{Line: 3},
			want: outcome{Unroutable: InvalidInput, Excluded: map[string]Reason{}}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			cfg := base()
			if tc.cfg != nil {
				tc.cfg(cfg)
			}
			in := tc.in
			if in.Order == nil {
				in.Order = ord("SO1", "广东省", line("1", "SKU-1", 1))
			}
			in.Now = now
			d := compile(t, cfg).Decide(in)
			if diff := cmp.Diff(tc.want, outcomeOf(d)); diff != "" {
				t.Errorf("%s (-want +got):\n%s", tc.reason, diff)
			}
			if d.Routed != (tc.want.Supplier != "") {
				t.Errorf("Routed = %v for supplier %q", d.Routed, d.Supplier)
			}
		})
	}
}

func TestNoOrder(t *testing.T) {
	e := compile(t, policy(config.SplitByLine, []config.Supplier{sup("a", []string{"*"})},
		config.Rule{Name: "all", Tiers: []config.Tier{tier("a", 1)}}))
	for name, o := range map[string]*order.Order{"nil": nil, "no lines": ord("SO1", "广东省")} {
		if d := e.Decide(Input{Order: o, Now: now}); d.Unroutable != InvalidInput || d.Routed {
			t.Errorf("%s: unroutable %q routed %v, want InvalidInput", name, d.Unroutable, d.Routed)
		}
	}
}

func TestRetryable(t *testing.T) {
	cfg := policy(config.SplitByLine, []config.Supplier{sup("a", []string{"*"}), sup("b", []string{"*"})},
		config.Rule{Name: "all", Tiers: []config.Tier{tier("a", 1, "b", 0)}})
	cfg.Adaptive.MaxEjectionPercent = 100
	o := ord("SO1", "广东省", line("1", "SKU-1", 1))
	cases := map[string]struct {
		reason string
		in     Input
		want   bool
	}{
		"routed":  {"a routed line is not retried", Input{}, false},
		"refused": {"a refused, b drained with weight 0: only a person can help", Input{Tried: []string{"a"}}, false},
		"ejected": {"a ejected: wait for the ejection to end",
			Input{Health: map[string]health.Snapshot{"a": snap("a", func(s *health.Snapshot) { s.State, s.EjectedUntil = health.StateEjected, now.Add(time.Minute) })}}, true},
		"no health": {"a at zero health recovers with time",
			Input{Health: map[string]health.Snapshot{"a": snap("a", func(s *health.Snapshot) { s.HealthFactor = 0 })}}, true},
		"quota": {"a's day is full: tomorrow it is not",
			Input{Health: map[string]health.Snapshot{"a": snap("a", func(s *health.Snapshot) { s.CapacityRemainingToday = ptr(int64(0)) })}}, true},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			in := tc.in
			in.Order, in.Now = o, now
			d := compile(t, cfg).Decide(in)
			if got := d.Retryable(); got != tc.want {
				t.Errorf("%s: Retryable() = %v, want %v (%s)", tc.reason, got, tc.want, d.Explain.Message)
			}
		})
	}
}
