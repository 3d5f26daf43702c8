package kube

import (
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	dropshipv1 "github.com/dropship-operator/dropship-operator/api/v1alpha1"
)

func TestSignificantSupplier(t *testing.T) {
	base := supplierView{
		Entry: dropshipv1.DispatcherHealthReport{Policy: "shop/main", SupplierHealth: dropshipv1.SupplierHealth{
			Requests: 100, SuccessRate: "98.5", ThrottledRate: "0", P95LatencyMillis: 400, OrdersToday: 10,
			CapacityRemainingToday: ptr.To[int64](90), State: "Active"}},
		Verdict: verdict{metav1.ConditionTrue, "Healthy", "98% of calls succeeded"},
	}
	cases := map[string]struct {
		change func(v *supplierView)
		want   bool
	}{
		"same":               {func(*supplierView) {}, false},
		"requests drift":     {func(v *supplierView) { v.Entry.Requests = 60 }, false},
		"last success moves": {func(v *supplierView) { v.Entry.LastSuccessTime = &metav1.Time{Time: time.Now()} }, false},
		"message only":       {func(v *supplierView) { v.Verdict.Message = "97% of calls succeeded" }, false},
		"rate under a point": {func(v *supplierView) { v.Entry.SuccessRate = "97.6" }, false},
		"rate a point":       {func(v *supplierView) { v.Entry.SuccessRate = "97.5" }, true},
		"rate appears":       {func(v *supplierView) { v.Entry.ThrottledRate = "" }, true},
		"p95 +10%":           {func(v *supplierView) { v.Entry.P95LatencyMillis = 440 }, false},
		"p95 +11%":           {func(v *supplierView) { v.Entry.P95LatencyMillis = 445 }, true},
		"ship lag appears":   {func(v *supplierView) { v.Entry.ShipLagP95 = &metav1.Duration{Duration: time.Hour} }, true},
		"orders":             {func(v *supplierView) { v.Entry.OrdersToday = 11 }, true},
		"capacity":           {func(v *supplierView) { v.Entry.CapacityRemainingToday = nil }, true},
		"state":              {func(v *supplierView) { v.Entry.State = "Ejected" }, true},
		"last error":         {func(v *supplierView) { v.Entry.LastError = "HTTP 503" }, true},
		"verdict status":     {func(v *supplierView) { v.Verdict.Status = metav1.ConditionUnknown }, true},
		"verdict reason":     {func(v *supplierView) { v.Verdict.Reason = "Other" }, true},
	}
	for name, tc := range cases {
		next := base
		next.Entry.CapacityRemainingToday = ptr.To(*base.Entry.CapacityRemainingToday)
		tc.change(&next)
		if got := significantSupplier(&base, next); got != tc.want {
			t.Errorf("%s: significant = %v, want %v", name, got, tc.want)
		}
	}
	if !significantSupplier(nil, base) {
		t.Error("a first report must be written")
	}
}

func TestSignificantPolicy(t *testing.T) {
	base := func() policyView {
		return policyView{
			Allocation: []dropshipv1.Allocation{
				{Rule: "r", Supplier: "c", BaseWeight: 40, EffectiveWeight: 40, Share: "40", ActualShare: "40", State: "Active"},
				{Rule: "r", Supplier: "d", BaseWeight: 30, EffectiveWeight: 30, Share: "30", State: "Active"},
			},
			Throughput: dropshipv1.Throughput{Received: 10, Dispatched: 9},
			Degraded:   verdict{metav1.ConditionFalse, "Succeeded", "fine"},
		}
	}
	cases := map[string]struct {
		change func(v *policyView)
		want   bool
	}{
		"same":              {func(*policyView) {}, false},
		"weight by 1 of 40": {func(v *policyView) { v.Allocation[0].EffectiveWeight = 39 }, false},
		"weight by 2 of 40": {func(v *policyView) { v.Allocation[0].EffectiveWeight = 38 }, true},
		"share by 0.5":      {func(v *policyView) { v.Allocation[0].ActualShare = "40.5" }, false},
		"share by 1":        {func(v *policyView) { v.Allocation[0].Share = "39" }, true},
		"actual share gone": {func(v *policyView) { v.Allocation[0].ActualShare = "" }, true},
		"state":             {func(v *policyView) { v.Allocation[1].State = "Ejected" }, true},
		"reason":            {func(v *policyView) { v.Allocation[1].Reason = "Throttled" }, true},
		"rows":              {func(v *policyView) { v.Allocation = v.Allocation[:1] }, true},
		"counter":           {func(v *policyView) { v.Throughput.Backlog = 1 }, true},
		"poll":              {func(v *policyView) { v.Throughput.LastPollTime = &metav1.Time{Time: time.Now()} }, true},
		"degraded":          {func(v *policyView) { v.Degraded = verdict{metav1.ConditionTrue, "Failing", "c"} }, true},
		"degraded message":  {func(v *policyView) { v.Degraded.Message = "other" }, false},
	}
	for name, tc := range cases {
		b, next := base(), base()
		tc.change(&next)
		if got := significantPolicy(&b, next); got != tc.want {
			t.Errorf("%s: significant = %v, want %v", name, got, tc.want)
		}
	}
}

func TestSignificantSource(t *testing.T) {
	t0 := time.Date(2026, 11, 24, 4, 0, 0, 0, time.UTC)
	prev := &dropshipv1.OrderSourceStatus{LastPollTime: &metav1.Time{Time: t0}, Watermark: "2026-11-24T03:59:00", OrdersReceived: 5}
	at := func(d time.Duration, wm string, n int64) dropshipv1.OrderSourceStatus {
		return dropshipv1.OrderSourceStatus{LastPollTime: &metav1.Time{Time: t0.Add(d)}, Watermark: wm, OrdersReceived: n}
	}
	cases := map[string]struct {
		next dropshipv1.OrderSourceStatus
		want bool
	}{
		"empty poll":       {at(30*time.Second, prev.Watermark, 5), false},
		"empty poll stale": {at(5*time.Minute, prev.Watermark, 5), true},
		"new orders":       {at(30*time.Second, "2026-11-24T04:00:00", 9), true},
	}
	for name, tc := range cases {
		if got := significantSource(prev, tc.next); got != tc.want {
			t.Errorf("%s: significant = %v, want %v", name, got, tc.want)
		}
	}
}
