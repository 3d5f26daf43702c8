package routing

import (
	"cmp"
	"math"
	"slices"
	"time"

	"github.com/dropship-operator/dropship-operator/dispatcher/config"
	"github.com/dropship-operator/dropship-operator/dispatcher/health"
)

// extra is what the strategies need besides a Candidate.
type extra struct {
	seed    uint64
	latency int64 // health p95 latency in ms; 0 when unknown
}

// candidates checks every supplier of every tier of r for the lines, in listing order.
func (e *Engine) candidates(r *rule, in *Input, lines []int) ([]Candidate, []extra) {
	overridden := e.overriddenEjections(r, in)
	out := make([]Candidate, 0, r.members)
	ext := make([]extra, 0, r.members)
	for j, tier := range r.tiers {
		for _, m := range tier {
			snap, ok := in.Health[m.name]
			var sp *health.Snapshot
			if ok {
				sp = &snap
			}
			c := candidateWeights(m, j, sp, in.Now, overridden)
			x := extra{seed: m.seed}
			if sp != nil {
				x.latency = sp.P95LatencyMillis
			}
			c.Excluded = c.static(m.sup, in, lines)
			if c.Excluded == "" {
				c.Excluded = c.dynamic(m.sup, sp, in.Now, in.Pending[m.name])
			}
			c.Eligible = c.Excluded == ""
			out = append(out, c)
			ext = append(ext, x)
		}
	}
	return out, ext
}

// candidateWeights starts a candidate with its state and weights: base × health factor
// by health.EffectiveWeight, or, when its ejection is overridden by MaxEjectionPercent,
// base × health factor despite the ejection.
func candidateWeights(m member, tier int, sp *health.Snapshot, now time.Time, overridden []string) Candidate {
	c := Candidate{Supplier: m.name, Tier: tier, BaseWeight: m.base, HealthFactor: 1}
	if sp != nil {
		c.State, c.HealthFactor = sp.State, sp.HealthFactor
	}
	if sp != nil && slices.Contains(overridden, m.name) {
		c.EjectionOverridden = true
		c.EffectiveWeight = float64(m.base) * sp.HealthFactor
	} else {
		c.EffectiveWeight = health.EffectiveWeight(m.base, sp, now)
	}
	if m.sup.suspend && c.State != health.StateSuspended {
		c.State, c.EffectiveWeight = health.StateSuspended, 0
	}
	return c
}

// static checks what depends on the line, not on the supplier's health: catalog, stock,
// region, earlier refusal. It also fills the price and lead time.
func (c *Candidate) static(s *supplierInfo, in *Input, lines []int) Reason {
	o := in.Order
	var why Reason
	for _, li := range lines {
		l := &o.Lines[li]
		if s.catalog == nil {
			continue
		}
		it, ok := s.catalog[l.SKU]
		switch {
		case !ok:
			return NotInCatalog
		case it.Stock != nil && float64(*it.Stock) < l.Quantity && why == "":
			why = OutOfStock
		}
		c.Price += it.Price * l.Quantity
		c.LeadTime = config.D(max(c.LeadTime.Duration, it.LeadTime.Duration))
	}
	if math.IsInf(c.Price, 0) || math.IsNaN(c.Price) {
		c.Price = 0 // an absurd quantity must not make the explain unencodable
	}
	if why != "" {
		return why
	}
	if !s.allRegion && !s.regions[normProvince(o.ShipTo.Province)] {
		return RegionNotServed
	}
	if slices.Contains(in.Tried, s.name) {
		return AlreadyRefused
	}
	return ""
}

// dynamic checks the supplier's state: suspension, circuit, ejection, quota (less the
// lines pending since the snapshot), weight.
func (c *Candidate) dynamic(s *supplierInfo, snap *health.Snapshot, now time.Time, pending int64) Reason {
	switch {
	case s.suspend || (snap != nil && snap.State == health.StateSuspended):
		return Suspended
	case snap != nil && snap.Circuit == health.CircuitOpen:
		return CircuitOpen
	case snap != nil && snap.Ejected(now) && !c.EjectionOverridden:
		return Ejected
	case snap != nil && snap.CapacityRemainingThisHour != nil && *snap.CapacityRemainingThisHour <= pending:
		return HourlyQuotaFull
	case snap != nil && snap.CapacityRemainingToday != nil && *snap.CapacityRemainingToday <= pending:
		if snap.AfterCutoff {
			return AfterCutoff
		}
		return QuotaExhausted
	case c.EffectiveWeight <= 0:
		return ZeroWeight
	}
	return ""
}

// overriddenEjections enforces MaxEjectionPercent over the rule's distinct suppliers:
// when more are ejected than allowed, the ejections that end soonest are overridden.
func (e *Engine) overriddenEjections(r *rule, in *Input) []string {
	type ej struct {
		name  string
		until time.Time
	}
	var out []ej
	for _, tier := range r.tiers {
		for _, m := range tier {
			s, ok := in.Health[m.name]
			if ok && s.Ejected(in.Now) && !slices.ContainsFunc(out, func(x ej) bool { return x.name == m.name }) {
				out = append(out, ej{m.name, s.EjectedUntil})
			}
		}
	}
	allowed := r.distinct * e.maxEject / 100
	if len(out) <= allowed {
		return nil
	}
	slices.SortFunc(out, func(a, b ej) int {
		return cmp.Or(a.until.Compare(b.until), cmp.Compare(a.name, b.name))
	})
	keep := make([]string, len(out)-allowed)
	for i, x := range out[:len(out)-allowed] {
		keep[i] = x.name
	}
	return keep
}
