package routing

import (
	"time"

	"github.com/dropship-operator/dropship-operator/dispatcher/config"
	"github.com/dropship-operator/dropship-operator/dispatcher/health"
)

// AllocationState is a supplier's standing in a rule, for RoutingPolicy.status.allocation.
type AllocationState string

const (
	AllocationActive     AllocationState = "Active"
	AllocationEjected    AllocationState = "Ejected"
	AllocationIneligible AllocationState = "Ineligible"
	AllocationSuspended  AllocationState = "Suspended"
)

// Allocation is one row of RoutingPolicy.status.allocation: how one rule treats one of
// its suppliers right now, independent of any particular line.
type Allocation struct {
	Rule            string  `json:"rule"`
	Supplier        string  `json:"supplier"`
	Tier            int     `json:"tier"`
	BaseWeight      int32   `json:"baseWeight"`
	EffectiveWeight float64 `json:"effectiveWeight"`
	// ExpectedShare is the fraction of the rule's lines the supplier should get: its
	// tier's load × its share of the tier's effective weight (Weighted), the tier's load
	// for the first eligible supplier (Priority). Cheapest and Fastest depend on each
	// line's catalog figures, so their ExpectedShare is 0; compare with actual counts.
	ExpectedShare float64         `json:"expectedShare"`
	State         AllocationState `json:"state"`
	// Reason is the exclusion reason when the supplier is not Active.
	Reason       Reason    `json:"reason,omitempty"`
	EjectedUntil time.Time `json:"ejectedUntil,omitzero"`
}

// Allocation returns every rule's suppliers with their weights, state and expected share,
// from the same snapshots and the same code paths Decide uses (line-specific checks such
// as catalog, region and refusals do not apply). It is pure.
func (e *Engine) Allocation(hs map[string]health.Snapshot, now time.Time) []Allocation {
	var out []Allocation
	in := &Input{Health: hs, Now: now}
	for _, r := range e.rules {
		overridden := e.overriddenEjections(r, in)
		cands := make([]Candidate, 0, r.members)
		for j, tier := range r.tiers {
			for _, m := range tier {
				snap, ok := hs[m.name]
				var sp *health.Snapshot
				if ok {
					sp = &snap
				}
				c := candidateWeights(m, j, sp, now, overridden)
				c.Excluded = c.dynamic(m.sup, sp, now, 0)
				c.Eligible = c.Excluded == ""
				cands = append(cands, c)
			}
		}
		tiers, _ := tierLoads(r, cands)
		sum := make([]float64, len(tiers))
		for _, c := range cands {
			if c.Eligible {
				sum[c.Tier] += c.EffectiveWeight
			}
		}
		first := make([]bool, len(tiers))
		for _, c := range cands {
			a := Allocation{Rule: r.name, Supplier: c.Supplier, Tier: c.Tier, BaseWeight: c.BaseWeight,
				EffectiveWeight: c.EffectiveWeight, State: AllocationActive, Reason: c.Excluded}
			switch c.Excluded {
			case "":
				switch r.strategy {
				case config.StrategyWeighted:
					a.ExpectedShare = tiers[c.Tier].Load * c.EffectiveWeight / sum[c.Tier]
				case config.StrategyPriority:
					if !first[c.Tier] {
						a.ExpectedShare, first[c.Tier] = tiers[c.Tier].Load, true
					}
				}
			case Suspended:
				a.State = AllocationSuspended
			case Ejected:
				a.State, a.EjectedUntil = AllocationEjected, hs[c.Supplier].EjectedUntil
			default:
				a.State = AllocationIneligible
			}
			out = append(out, a)
		}
	}
	return out
}
