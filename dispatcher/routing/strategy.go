package routing

import (
	"math"

	"github.com/dropship-operator/dropship-operator/dispatcher/config"
)

// choose applies the strategy to the eligible candidates of tier. The tier has load, so
// it has at least one eligible candidate.
func choose(s config.Strategy, cands []Candidate, ext []extra, tier int, key uint64) *Candidate {
	var best *Candidate
	var bx *extra
	bestScore := math.Inf(1)
	for i := range cands {
		c, x := &cands[i], &ext[i]
		if c.Tier != tier || !c.Eligible {
			continue
		}
		switch s {
		case config.StrategyPriority:
			return c
		case config.StrategyCheapest:
			if best == nil || less(c.Price, best.Price) {
				best, bx = c, x
			}
		case config.StrategyFastest:
			if best == nil || less(float64(c.LeadTime.Duration), float64(best.LeadTime.Duration)) ||
				(c.LeadTime == best.LeadTime && less(float64(x.latency), float64(bx.latency))) {
				best, bx = c, x
			}
		default: // Weighted
			if sc := rendezvousScore(key, x.seed, c.EffectiveWeight); best == nil || sc < bestScore {
				best, bx, bestScore = c, x, sc
			}
		}
	}
	return best
}

// less orders known (positive) figures before unknown (zero) ones; ties are not less,
// so the earlier listed candidate stays.
func less(a, b float64) bool {
	switch {
	case a <= 0:
		return false
	case b <= 0:
		return true
	}
	return a < b
}
