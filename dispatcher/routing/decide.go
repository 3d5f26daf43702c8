package routing

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/dropship-operator/dropship-operator/dispatcher/config"
	"github.com/dropship-operator/dropship-operator/dispatcher/order"
)

// Decide routes one line (ByLine) or one order (WholeOrder). It is pure: the same Input
// gives the same Decision.
func (e *Engine) Decide(in Input) Decision {
	d := Decision{Explain: Explain{Split: e.split, DecidedAt: in.Now, Rules: []RuleTrace{}}}
	lines, key, ok := e.lines(in)
	d.Lines, d.Explain.Lines, d.Explain.Key = lines, lines, key
	if !ok {
		return d.unroutable(InvalidInput, "the input names no order or no valid line")
	}
	r := e.match(in.Order, lines, &d.Explain)
	if r == nil {
		return d.unroutable(NoRuleMatched, fmt.Sprintf("none of the %d rules matches", len(e.rules)))
	}
	d.Rule, d.Explain.Rule, d.Explain.Strategy = r.name, r.name, r.strategy
	kh := hashString(key)
	cands, ext := e.candidates(r, &in, lines)
	tiers, total := tierLoads(r, cands)
	d.Explain.Tiers, d.Explain.Candidates = tiers, cands
	if total == 0 {
		return d.unroutable(NoEligibleSupplier, fmt.Sprintf("no eligible supplier among the %d candidates of rule %q", len(cands), r.name))
	}
	u := unit(mix(kh ^ tierSeed))
	d.Explain.Pick = u
	tier := pickTier(tiers, u)
	c := choose(r.strategy, cands, ext, tier, kh)
	if c == nil { // cannot happen: a tier with load has an eligible supplier
		return d.unroutable(NoEligibleSupplier, fmt.Sprintf("tier %d of rule %q has load but no eligible supplier", tier, r.name))
	}
	d.Routed, d.Supplier, d.Tier = true, c.Supplier, tier
	d.BaseWeight, d.EffectiveWeight = c.BaseWeight, c.EffectiveWeight
	d.Explain.Chosen, d.Explain.Tier = c.Supplier, tier
	d.Explain.Message = "rule " + strconv.Quote(r.name) + ", tier " + strconv.Itoa(tier) + " (load " +
		strconv.Itoa(int(math.Round(tiers[tier].Load*100))) + "%), " + string(r.strategy) + ": " + c.Supplier
	return d
}

func (d Decision) unroutable(r Reason, msg string) Decision {
	d.Unroutable, d.Explain.Unroutable, d.Explain.Message = r, r, msg
	return d
}

// lines returns the lines to route and the key to hash on.
func (e *Engine) lines(in Input) ([]int, string, bool) {
	o := in.Order
	if o == nil || len(o.Lines) == 0 {
		return nil, "", false
	}
	if e.split == config.SplitWholeOrder {
		idx := make([]int, len(o.Lines))
		for i := range idx {
			idx[i] = i
		}
		return idx, order.LineID(o.Source, o.BillNo, ""), true
	}
	if in.Line < 0 || in.Line >= len(o.Lines) {
		return nil, "", false
	}
	return []int{in.Line}, o.Ref(in.Line).ID(), true
}

// match returns the first rule that matches every line, recording each rule tried.
func (e *Engine) match(o *order.Order, lines []int, ex *Explain) *rule {
	var om map[string]any // built on the first expression, once
	for _, r := range e.rules {
		tr := RuleTrace{Rule: r.name, Matched: true}
		for _, li := range lines {
			if reason, err := r.matches(o, li, &om); reason != "" {
				tr.Matched, tr.Reason = false, reason
				if err != nil {
					tr.Error = err.Error()
				}
				break
			}
		}
		ex.Rules = append(ex.Rules, tr)
		if tr.Matched {
			return r
		}
	}
	return nil
}

// matches returns "" when line li matches the rule, or why it does not.
func (r *rule) matches(o *order.Order, li int, om *map[string]any) (Reason, error) {
	if r.regions != nil && !r.regions[normProvince(o.ShipTo.Province)] {
		return RegionMismatch, nil
	}
	sku := o.Lines[li].SKU
	if r.skus != nil && !r.skus[sku] {
		return SKUMismatch, nil
	}
	if len(r.prefixes) > 0 && !slices.ContainsFunc(r.prefixes, func(p string) bool { return strings.HasPrefix(sku, p) }) {
		return SKUMismatch, nil
	}
	if r.prog == nil {
		return "", nil
	}
	if *om == nil {
		*om = orderMap(o)
	}
	lm := (*om)["lines"].([]any)[li].(map[string]any)
	ok, err := evalExpr(r.prog, *om, lm)
	switch {
	case err != nil:
		return ExpressionError, err
	case !ok:
		return ExpressionFalse, nil
	}
	return "", nil
}
