package harness

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"k8s.io/apimachinery/pkg/types"

	dropshipv1 "github.com/dropship-operator/dropship-operator/api/v1alpha1"
	"github.com/dropship-operator/dropship-operator/dispatcher/order"
	"github.com/dropship-operator/dropship-operator/dispatcher/server"
)

// Weights are a policy's tier-0 weights as shares of their rule: rule → supplier → share.
type Weights map[string]map[string]float64

// PolicyWeights reads a RoutingPolicy's first-tier weights from the API server.
func (e *Env) PolicyWeights(ctx context.Context, policy string) (Weights, []string, error) {
	rp := &dropshipv1.RoutingPolicy{}
	if err := e.Client.Get(ctx, types.NamespacedName{Namespace: e.Namespace, Name: policy}, rp); err != nil {
		return nil, nil, fmt.Errorf("cannot read policy %s: %w", policy, err)
	}
	w := Weights{}
	var rules []string
	for _, r := range rp.Spec.Rules {
		rules = append(rules, r.Name)
		if len(r.Tiers) == 0 {
			continue
		}
		var sum float64
		for _, s := range r.Tiers[0].Suppliers {
			sum += float64(s.Weight)
		}
		w[r.Name] = map[string]float64{}
		for _, s := range r.Tiers[0].Suppliers {
			if sum > 0 {
				w[r.Name][s.Name] = float64(s.Weight) / sum
			}
		}
	}
	return w, rules, nil
}

// Allocation counts routed lines by rule and supplier.
type Allocation struct {
	ByRule     map[string]int
	ByRuleSup  map[string]map[string]int
	BySupplier map[string]int
}

// Allocate counts the lines received in [from, to) (zero times: unbounded) that were
// routed to a supplier (Shadowed lines count: the decision is the same).
func Allocate(lines []server.LineView, from, to time.Time) Allocation {
	a := Allocation{ByRule: map[string]int{}, ByRuleSup: map[string]map[string]int{}, BySupplier: map[string]int{}}
	for _, l := range lines {
		if l.Supplier == "" || l.Rule == "" {
			continue
		}
		if (!from.IsZero() && l.CreatedAt.Before(from)) || (!to.IsZero() && !l.CreatedAt.Before(to)) {
			continue
		}
		a.ByRule[l.Rule]++
		if a.ByRuleSup[l.Rule] == nil {
			a.ByRuleSup[l.Rule] = map[string]int{}
		}
		a.ByRuleSup[l.Rule][l.Supplier]++
		a.BySupplier[l.Supplier]++
	}
	return a
}

// Share is the fraction of a rule's lines that went to a supplier.
func (a Allocation) Share(rule, supplier string) float64 {
	if a.ByRule[rule] == 0 {
		return 0
	}
	return float64(a.ByRuleSup[rule][supplier]) / float64(a.ByRule[rule])
}

// SupplierFigures are what the simulators and the ERP saw of one supplier.
type SupplierFigures struct {
	Orders    uint64  // supplier orders the simulator accepted
	P95Millis float64 // the simulator's p95 latency as served
	POs       int     // purchase-order lines in the ERP
	Closed    int     // lines whose tracking number was written back (Closed)
}

// Figures gathers per-supplier figures: simulator stats, ERP purchase orders (by the
// Supplier's erpNumber) and the journal's Closed lines.
func (e *Env) Figures(ctx context.Context, erp *ERP, lines []server.LineView) (map[string]SupplierFigures, error) {
	pos, err := erp.PurchaseOrders(ctx)
	if err != nil {
		return nil, err
	}
	byNumber := map[string]int{}
	for _, p := range pos {
		byNumber[p.Supplier]++
	}
	out := map[string]SupplierFigures{}
	for _, name := range e.SupplierNames() {
		st, err := e.SupplierStats(ctx, name)
		if err != nil {
			return nil, err
		}
		f := SupplierFigures{Orders: st.Accepted, P95Millis: st.LatencyP95Millis}
		if s := e.manifests.get("Supplier", name); s != nil {
			f.POs = byNumber[s.str("spec", "erpNumber")]
		}
		out[name] = f
	}
	for _, l := range lines {
		if l.State == order.StateClosed && l.Supplier != "" {
			f := out[l.Supplier]
			f.Closed++
			out[l.Supplier] = f
		}
	}
	return out, nil
}

// WriteTable prints one row per supplier: lines, share of each rule it serves against its
// weight, p95 latency, supplier orders, purchase orders in the ERP, tracking written back.
func WriteTable(w io.Writer, suppliers, rules []string, weights Weights, a Allocation, figs map[string]SupplierFigures) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "supplier\tlines\tshare of rule (weight)\tp95\tsupplier orders\tPOs in ERP\ttracking in ERP\t")
	for _, s := range suppliers {
		var shares []string
		for _, r := range rules {
			wt, inRule := weights[r][s]
			if !inRule && a.ByRuleSup[r][s] == 0 {
				continue
			}
			shares = append(shares, fmt.Sprintf("%s %3.0f%% (%3.0f%%)", r, 100*a.Share(r, s), 100*wt))
		}
		f := figs[s]
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t\n", s, num(a.BySupplier[s]), strings.Join(shares, ", "),
			fmt.Sprintf("%.0fms", f.P95Millis), num(int(f.Orders)), num(f.POs), num(f.Closed))
	}
	_ = tw.Flush()
}

// RuleLine prints one rule's split, e.g. "north: supplier-c 40% · supplier-d 31% · supplier-e 29% of 812 lines".
func RuleLine(a Allocation, rule string) string {
	var sups []string
	for s := range a.ByRuleSup[rule] {
		sups = append(sups, s)
	}
	sort.Strings(sups)
	var parts []string
	for _, s := range sups {
		parts = append(parts, fmt.Sprintf("%s %.0f%%", s, 100*a.Share(rule, s)))
	}
	return fmt.Sprintf("%s: %s of %s lines", rule, strings.Join(parts, " · "), num(a.ByRule[rule]))
}

// num formats with thousands separators.
func num(n int) string {
	s := fmt.Sprint(n)
	if n < 0 {
		return s
	}
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
