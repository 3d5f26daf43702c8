package kube

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	dropshipv1 "github.com/dropship-operator/dropship-operator/api/v1alpha1"
	"github.com/dropship-operator/dropship-operator/dispatcher/config"
	"github.com/dropship-operator/dropship-operator/dispatcher/health"
)

func TestPercent(t *testing.T) {
	cases := map[float64]string{0: "0", 1: "100", 0.985: "98.5", 0.98549: "98.5", 0.3333: "33.3", 0.0004: "0"}
	for in, want := range cases {
		if got := percent(in); got != want {
			t.Errorf("percent(%v) = %q, want %q", in, got, want)
		}
		if in == 1 && parsePercent(want) != 1 {
			t.Errorf("parsePercent(%q) = %v", want, parsePercent(want))
		}
	}
}

func TestSupplierReport(t *testing.T) {
	at := time.Date(2026, 11, 24, 4, 0, 0, 0, time.UTC)
	cases := map[string]struct {
		reason string
		s      health.Snapshot
		want   dropshipv1.SupplierHealth
	}{
		"idle": {"no calls: no rates, Active",
			health.Snapshot{Supplier: "c", Window: config.D(5 * time.Minute)},
			dropshipv1.SupplierHealth{Window: &metav1.Duration{Duration: 5 * time.Minute}, State: dropshipv1.SupplierActive}},
		"busy": {"rates as percentages, ship lag rounded, capacity kept",
			health.Snapshot{Supplier: "c", Requests: 200, SuccessRate: 0.985, ThrottledRate: 0.01, P95LatencyMillis: 420,
				ShipLagSamples: 9, ShipLagP95: config.D(20*time.Hour + 300*time.Millisecond), OrdersToday: 1873,
				CapacityRemainingToday: ptr.To[int64](3127), State: health.StateEjected, LastSuccessTime: at.Add(900 * time.Millisecond),
				LastError: "HTTP 503"},
			dropshipv1.SupplierHealth{Requests: 200, SuccessRate: "98.5", ThrottledRate: "1", P95LatencyMillis: 420,
				ShipLagP95: &metav1.Duration{Duration: 20 * time.Hour}, OrdersToday: 1873, CapacityRemainingToday: ptr.To[int64](3127),
				State: dropshipv1.SupplierEjected, LastSuccessTime: &metav1.Time{Time: at}, LastError: "HTTP 503"}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got := supplierReport("shop/main", tc.s)
			if got.Policy != "shop/main" {
				t.Errorf("policy %q", got.Policy)
			}
			if d := cmp.Diff(tc.want, got.SupplierHealth); d != "" {
				t.Errorf("%s (-want +got):\n%s", tc.reason, d)
			}
		})
	}
}

func entry(policy string, state dropshipv1.SupplierState, req int64, success string, p95, today int64, remaining *int64) dropshipv1.DispatcherHealthReport {
	return dropshipv1.DispatcherHealthReport{Policy: policy, SupplierHealth: dropshipv1.SupplierHealth{
		State: state, Requests: req, SuccessRate: success, ThrottledRate: "0", P95LatencyMillis: p95, OrdersToday: today,
		CapacityRemainingToday: remaining}}
}

func TestMergeHealth(t *testing.T) {
	active, ejected := dropshipv1.SupplierActive, dropshipv1.SupplierEjected
	cases := map[string]struct {
		reason  string
		entries []dropshipv1.DispatcherHealthReport
		want    *dropshipv1.SupplierHealth
	}{
		"none": {"no entries, no health", nil, nil},
		"one": {"a single entry is itself", []dropshipv1.DispatcherHealthReport{entry("shop/a", active, 10, "90", 100, 5, ptr.To[int64](95))},
			&dropshipv1.SupplierHealth{State: active, Requests: 10, SuccessRate: "90", ThrottledRate: "0", P95LatencyMillis: 100, OrdersToday: 5, CapacityRemainingToday: ptr.To[int64](95)}},
		"two": {"worst state, sums, rate weighted by requests, max p95, capacity net of everyone's orders",
			[]dropshipv1.DispatcherHealthReport{
				entry("shop/a", active, 300, "100", 100, 30, ptr.To[int64](70)),
				entry("shop/b", ejected, 100, "60", 900, 10, ptr.To[int64](90)),
			},
			&dropshipv1.SupplierHealth{State: ejected, Requests: 400, SuccessRate: "90", ThrottledRate: "0", P95LatencyMillis: 900, OrdersToday: 40, CapacityRemainingToday: ptr.To[int64](60)}},
		"idle entry": {"an entry without calls does not dilute the rate",
			[]dropshipv1.DispatcherHealthReport{entry("shop/a", active, 0, "", 0, 0, nil), entry("shop/b", active, 50, "80", 10, 2, nil)},
			&dropshipv1.SupplierHealth{State: active, Requests: 50, SuccessRate: "80", ThrottledRate: "0", P95LatencyMillis: 10, OrdersToday: 2}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if d := cmp.Diff(tc.want, mergeHealth(tc.entries)); d != "" {
				t.Errorf("%s (-want +got):\n%s", tc.reason, d)
			}
		})
	}
}

func TestHealthyVerdict(t *testing.T) {
	healthy := verdict{metav1.ConditionTrue, "Healthy", "ok"}
	failing := verdict{metav1.ConditionFalse, "Failing", "50% failed"}
	inconclusive := verdict{metav1.ConditionUnknown, "Inconclusive", "few"}
	ejectedElsewhere := []dropshipv1.DispatcherHealthReport{entry("shop/z", dropshipv1.SupplierEjected, 1, "0", 0, 0, nil), entry("shop/y", dropshipv1.SupplierActive, 1, "100", 0, 0, nil)}
	cases := map[string]struct {
		mine   verdict
		others []dropshipv1.DispatcherHealthReport
		want   verdict
	}{
		"mine alone":                 {healthy, nil, healthy},
		"mine false wins":            {failing, ejectedElsewhere, failing},
		"ejected elsewhere":          {healthy, ejectedElsewhere, verdict{metav1.ConditionFalse, "Ejected", "ejected by outlier detection of shop/z"}},
		"unknown, ejected elsewhere": {inconclusive, ejectedElsewhere, verdict{metav1.ConditionFalse, "Ejected", "ejected by outlier detection of shop/z"}},
		"others active":              {inconclusive, ejectedElsewhere[1:], inconclusive},
	}
	for name, tc := range cases {
		if d := cmp.Diff(tc.want, healthyVerdict(tc.mine, tc.others)); d != "" {
			t.Errorf("%s (-want +got):\n%s", name, d)
		}
	}
}

func TestSupplierEvent(t *testing.T) {
	f := verdict{metav1.ConditionFalse, "Ejected", "ejected"}
	tr := verdict{metav1.ConditionTrue, "Healthy", "ok"}
	u := verdict{metav1.ConditionUnknown, "Inconclusive", "few"}
	type step struct {
		v      verdict
		reason string // "" when no Event
	}
	// One sequence: healthy, ejected (Event), unknown, false again (no second Event),
	// healthy (recovery Event), healthy.
	seq := []step{{tr, ""}, {f, "Ejected"}, {u, ""}, {verdict{metav1.ConditionFalse, "Failing", "x"}, ""}, {tr, "Healthy"}, {tr, ""}, {u, ""}}
	alarmed := false
	for i, s := range seq {
		var ev *event
		ev, alarmed = supplierEvent(alarmed, "c", "shop/main", s.v)
		got := ""
		if ev != nil {
			got = ev.Reason
		}
		if got != s.reason {
			t.Errorf("step %d (%s): event %q, want %q", i, s.v.Reason, got, s.reason)
		}
	}
}
