package routing

// Overprovisioning is Envoy's overprovisioning factor: a tier at ≥ 1/1.4 ≈ 71% health
// still takes all of its traffic.
const Overprovisioning = 1.4

// tierLoads computes each tier's health and load (Envoy priority load) and returns the
// sum of the tiers' overprovisioned health (0: nothing is eligible).
func tierLoads(r *rule, cands []Candidate) ([]TierTrace, float64) {
	tiers := make([]TierTrace, len(r.tiers))
	for i := range tiers {
		tiers[i].Tier = i
	}
	for _, c := range cands {
		t := &tiers[c.Tier]
		if isStatic(c.Excluded) {
			continue
		}
		t.BaseWeight += int64(c.BaseWeight)
		if c.Eligible {
			t.HealthyWeight += c.EffectiveWeight
		}
	}
	var total float64
	hp := make([]float64, len(tiers))
	for i := range tiers {
		t := &tiers[i]
		if t.BaseWeight > 0 {
			t.Health = min(t.HealthyWeight/float64(t.BaseWeight), 1)
		}
		hp[i] = min(1, t.Health*Overprovisioning)
		total += hp[i]
	}
	if total == 0 {
		return tiers, 0
	}
	left := 1.0
	for i := range tiers {
		if total < 1 {
			tiers[i].Load = hp[i] / total // not enough health anywhere: scale up
			continue
		}
		tiers[i].Load = min(hp[i], left)
		left -= tiers[i].Load
	}
	return tiers, total
}

// pickTier walks the cumulative loads with u in (0, 1].
func pickTier(tiers []TierTrace, u float64) int {
	var cum float64
	last := 0
	for i, t := range tiers {
		if t.Load <= 0 {
			continue
		}
		last = i
		cum += t.Load
		if u <= cum {
			return i
		}
	}
	return last
}
