package routing

import (
	"fmt"
	"slices"
	"strings"

	"github.com/google/cel-go/cel"

	"github.com/dropship-operator/dropship-operator/dispatcher/config"
)

// Engine is a compiled routing policy. It is immutable and safe for concurrent use.
type Engine struct {
	split    config.Split
	maxEject int // adaptive.maxEjectionPercent
	rules    []*rule
}

type rule struct {
	name     string
	strategy config.Strategy
	regions  map[string]bool // normalised provinces; nil = any
	skus     map[string]bool // nil = any
	prefixes []string
	prog     cel.Program // nil = no expression
	tiers    [][]member
	distinct int // distinct suppliers over all tiers: the MaxEjectionPercent base
	members  int // suppliers over all tiers, repeats included
}

type member struct {
	name string
	base int32
	seed uint64 // hash of the name, mixed with the line key for rendezvous hashing
	sup  *supplierInfo
}

type supplierInfo struct {
	name      string
	suspend   bool
	allRegion bool
	regions   map[string]bool
	catalog   map[string]config.CatalogItem // nil = takes any SKU
}

// Compile checks and compiles the routing part of cfg: rules, their CEL expressions and
// the suppliers they name. It does not modify cfg; unset split, strategy and
// maxEjectionPercent take the config defaults. Every problem is reported
// as a config.FieldError naming its field (rules[1].match.expression, …), wrapped in the
// returned error; errors.As recovers the config.ValidationError.
func Compile(c *config.DispatcherConfig) (*Engine, error) {
	var errs config.ValidationError
	bad := func(field, format string, args ...any) {
		errs = append(errs, config.FieldError{Field: field, Reason: fmt.Sprintf(format, args...)})
	}
	env, err := newCELEnv()
	if err != nil {
		return nil, fmt.Errorf("cannot create CEL environment: %w", err)
	}
	sups := make(map[string]*supplierInfo, len(c.Suppliers))
	for _, s := range c.Suppliers {
		sups[s.Name] = newSupplierInfo(s)
	}
	e := &Engine{split: c.Split, maxEject: c.Adaptive.MaxEjectionPercent}
	if e.split == "" {
		e.split = config.SplitByLine
	}
	if e.maxEject == 0 {
		e.maxEject = config.DefaultMaxEjectionPct
	}
	if len(c.Rules) == 0 {
		bad("rules", "must have at least one rule")
	}
	for i, r := range c.Rules {
		p := fmt.Sprintf("rules[%d]", i)
		cr := &rule{name: r.Name, strategy: r.Strategy, prefixes: r.Match.SKUPrefixes}
		if cr.strategy == "" {
			cr.strategy = config.StrategyWeighted
		}
		switch cr.strategy {
		case config.StrategyWeighted, config.StrategyCheapest, config.StrategyFastest, config.StrategyPriority:
		default:
			bad(p+".strategy", "must be Weighted, Cheapest, Fastest or Priority, not %q", r.Strategy)
		}
		if len(r.Match.Regions) > 0 && !slices.Contains(r.Match.Regions, "*") { // "*": every province
			cr.regions = map[string]bool{}
			for _, reg := range r.Match.Regions {
				cr.regions[normProvince(reg)] = true
			}
		}
		if len(r.Match.SKUs) > 0 {
			cr.skus = map[string]bool{}
			for _, s := range r.Match.SKUs {
				cr.skus[s] = true
			}
		}
		if x := strings.TrimSpace(r.Match.Expression); x != "" {
			prog, err := compileExpr(env, x)
			if err != nil {
				bad(p+".match.expression", "%s", err)
			}
			cr.prog = prog
		}
		if len(r.Tiers) == 0 {
			bad(p+".tiers", "must have at least one tier")
		}
		seen := map[string]bool{}
		for j, t := range r.Tiers {
			var ms []member
			for k, ws := range t.Suppliers {
				sp := fmt.Sprintf("%s.tiers[%d].suppliers[%d]", p, j, k)
				si := sups[ws.Name]
				switch {
				case si == nil:
					bad(sp+".name", "names supplier %q, which is not in suppliers", ws.Name)
					continue
				case ws.Weight < 0 || ws.Weight > config.MaxWeight:
					bad(sp+".weight", "must be between 0 and %d", config.MaxWeight)
				}
				if !seen[ws.Name] {
					seen[ws.Name] = true
					cr.distinct++
				}
				cr.members++
				ms = append(ms, member{name: ws.Name, base: ws.Weight, seed: hashString(ws.Name), sup: si})
			}
			cr.tiers = append(cr.tiers, ms)
		}
		e.rules = append(e.rules, cr)
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("cannot compile routing policy %q: %w", c.Policy.String(), errs)
	}
	return e, nil
}

// Split is the policy's split mode: call Decide once per line (ByLine) or once per order
// (WholeOrder).
func (e *Engine) Split() config.Split { return e.split }

func newSupplierInfo(s config.Supplier) *supplierInfo {
	si := &supplierInfo{name: s.Name, suspend: s.Suspend, regions: map[string]bool{}}
	for _, r := range s.Regions {
		if strings.TrimSpace(r) == "*" {
			si.allRegion = true
		}
		si.regions[normProvince(r)] = true
	}
	if len(s.Catalog.SKUs) > 0 {
		si.catalog = make(map[string]config.CatalogItem, len(s.Catalog.SKUs))
		for _, it := range s.Catalog.SKUs {
			si.catalog[it.SKU] = it
		}
	}
	return si
}
