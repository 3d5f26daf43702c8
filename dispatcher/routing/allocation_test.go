package routing

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/dropship-operator/dropship-operator/dispatcher/config"
	"github.com/dropship-operator/dropship-operator/dispatcher/health"
)

// TestAllocation is the scenario: C=40, D=30, E=30 with C failing, plus a
// Priority rule whose first supplier is suspended.
func TestAllocation(t *testing.T) {
	sups := []config.Supplier{sup("c", []string{"*"}), sup("d", []string{"*"}), sup("e", []string{"*"}), sup("f", []string{"*"})}
	sups[3].Suspend = true
	cfg := policy(config.SplitByLine, sups,
		config.Rule{Name: "main", Strategy: config.StrategyWeighted, Tiers: []config.Tier{tier("c", 40, "d", 30, "e", 30)}},
		config.Rule{Name: "backup", Strategy: config.StrategyPriority, Tiers: []config.Tier{tier("f", 1, "d", 1)}})
	until := now.Add(2 * time.Minute)
	cases := map[string]struct {
		reason string
		c      func(*health.Snapshot)
		want   []Allocation
	}{
		"healthy": {"shares follow the base weights", nil, []Allocation{
			{Rule: "main", Supplier: "c", BaseWeight: 40, EffectiveWeight: 40, ExpectedShare: 0.4, State: AllocationActive},
			{Rule: "main", Supplier: "d", BaseWeight: 30, EffectiveWeight: 30, ExpectedShare: 0.3, State: AllocationActive},
			{Rule: "main", Supplier: "e", BaseWeight: 30, EffectiveWeight: 30, ExpectedShare: 0.3, State: AllocationActive},
			{Rule: "backup", Supplier: "f", BaseWeight: 1, State: AllocationSuspended, Reason: Suspended},
			{Rule: "backup", Supplier: "d", BaseWeight: 1, EffectiveWeight: 1, ExpectedShare: 1, State: AllocationActive},
		}},
		"c degraded": {"c at half health: its weight halves, d and e carry the rest", func(s *health.Snapshot) { s.HealthFactor = 0.5 }, []Allocation{
			{Rule: "main", Supplier: "c", BaseWeight: 40, EffectiveWeight: 20, ExpectedShare: 0.25, State: AllocationActive},
			{Rule: "main", Supplier: "d", BaseWeight: 30, EffectiveWeight: 30, ExpectedShare: 0.375, State: AllocationActive},
			{Rule: "main", Supplier: "e", BaseWeight: 30, EffectiveWeight: 30, ExpectedShare: 0.375, State: AllocationActive},
			{Rule: "backup", Supplier: "f", BaseWeight: 1, State: AllocationSuspended, Reason: Suspended},
			{Rule: "backup", Supplier: "d", BaseWeight: 1, EffectiveWeight: 1, ExpectedShare: 1, State: AllocationActive},
		}},
		"c ejected": {"c out until its ejection ends", func(s *health.Snapshot) { s.State, s.EjectedUntil = health.StateEjected, until }, []Allocation{
			{Rule: "main", Supplier: "c", BaseWeight: 40, State: AllocationEjected, Reason: Ejected, EjectedUntil: until},
			{Rule: "main", Supplier: "d", BaseWeight: 30, EffectiveWeight: 30, ExpectedShare: 0.5, State: AllocationActive},
			{Rule: "main", Supplier: "e", BaseWeight: 30, EffectiveWeight: 30, ExpectedShare: 0.5, State: AllocationActive},
			{Rule: "backup", Supplier: "f", BaseWeight: 1, State: AllocationSuspended, Reason: Suspended},
			{Rule: "backup", Supplier: "d", BaseWeight: 1, EffectiveWeight: 1, ExpectedShare: 1, State: AllocationActive},
		}},
		"c over quota": {"no capacity left today", func(s *health.Snapshot) { s.CapacityRemainingToday = ptr(int64(0)) }, []Allocation{
			{Rule: "main", Supplier: "c", BaseWeight: 40, EffectiveWeight: 40, State: AllocationIneligible, Reason: QuotaExhausted},
			{Rule: "main", Supplier: "d", BaseWeight: 30, EffectiveWeight: 30, ExpectedShare: 0.5, State: AllocationActive},
			{Rule: "main", Supplier: "e", BaseWeight: 30, EffectiveWeight: 30, ExpectedShare: 0.5, State: AllocationActive},
			{Rule: "backup", Supplier: "f", BaseWeight: 1, State: AllocationSuspended, Reason: Suspended},
			{Rule: "backup", Supplier: "d", BaseWeight: 1, EffectiveWeight: 1, ExpectedShare: 1, State: AllocationActive},
		}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			hs := map[string]health.Snapshot{"c": snap("c", tc.c)}
			got := compile(t, cfg).Allocation(hs, now)
			if diff := cmp.Diff(tc.want, got, cmpopts.EquateApprox(0, 1e-9)); diff != "" {
				t.Errorf("%s (-want +got):\n%s", tc.reason, diff)
			}
		})
	}
}
