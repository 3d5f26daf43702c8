package kube

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	dropshipv1 "github.com/dropship-operator/dropship-operator/api/v1alpha1"
	"github.com/dropship-operator/dropship-operator/dispatcher/health"
	"github.com/dropship-operator/dropship-operator/dispatcher/order"
	"github.com/dropship-operator/dropship-operator/dispatcher/routing"
)

func TestAllocationRows(t *testing.T) {
	until := time.Date(2026, 11, 24, 4, 14, 0, 500, time.UTC)
	allocs := []routing.Allocation{
		{Rule: "north", Supplier: "c", BaseWeight: 40, EffectiveWeight: 0, State: routing.AllocationEjected, Reason: routing.Ejected, EjectedUntil: until},
		{Rule: "north", Supplier: "d", BaseWeight: 30, EffectiveWeight: 29.6, ExpectedShare: 0.5, State: routing.AllocationActive},
		{Rule: "north", Supplier: "e", BaseWeight: 30, EffectiveWeight: 15.2, ExpectedShare: 0.5, State: routing.AllocationActive},
		{Rule: "south", Supplier: "f", Tier: 1, BaseWeight: 100, EffectiveWeight: 100, State: routing.AllocationActive},
	}
	sups := map[string]SupplierFigures{
		"e": {Snapshot: health.Snapshot{Factors: health.Factors{Success: 1, Throttling: 0.5, SlowShip: 1, SlowLatency: 1}},
			Verdict: health.Condition{Status: health.ConditionTrue, Reason: "Healthy"}},
	}
	accepted := map[string]int64{"c": 10, "d": 45, "e": 45}
	want := []dropshipv1.Allocation{
		{Rule: "north", Supplier: "c", BaseWeight: 40, EffectiveWeight: 0, ActualShare: "10", State: "Ejected", Reason: "Ejected", EjectedUntil: &metav1.Time{Time: until.Truncate(time.Second)}},
		{Rule: "north", Supplier: "d", BaseWeight: 30, EffectiveWeight: 30, Share: "50", ActualShare: "45", State: "Active"},
		{Rule: "north", Supplier: "e", BaseWeight: 30, EffectiveWeight: 15, Share: "50", ActualShare: "45", State: "Active", Reason: "Throttled"},
		{Rule: "south", Supplier: "f", Tier: 1, BaseWeight: 100, EffectiveWeight: 100, Share: "0", State: "Active"},
	}
	rows := allocationRows(allocs, accepted, sups)
	if d := cmp.Diff(want, rows); d != "" {
		t.Errorf("rows (-want +got):\n%s", d)
	}
	if got, w := effectiveWeights(rows), "north: c=0,d=30,e=15; south: f=100"; got != w {
		t.Errorf("effectiveWeights = %q, want %q", got, w)
	}
	if got, w := effectiveWeights(rows[:3]), "c=0,d=30,e=15"; got != w {
		t.Errorf("effectiveWeights one rule = %q, want %q", got, w)
	}
}

func TestThroughput(t *testing.T) {
	counts := map[order.State]int64{order.StateReceived: 2, order.StateRouted: 1, order.StateSubmitted: 3, order.StateAccepted: 4,
		order.StateRecorded: 5, order.StateShipped: 6, order.StateClosed: 7, order.StateDeadLettered: 8, order.StateRejected: 1, order.StateCancelled: 1}
	poll := time.Date(2026, 11, 24, 4, 0, 0, 700, time.UTC)
	want := dropshipv1.Throughput{Received: 38, Dispatched: 22, Recorded: 18, Shipped: 13, DeadLettered: 8, Backlog: 7,
		LastPollTime: &metav1.Time{Time: poll.Truncate(time.Second)}}
	if d := cmp.Diff(want, throughput(counts, &SourceFigures{LastPollTime: poll})); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
}

func TestDegraded(t *testing.T) {
	t0 := time.Date(2026, 11, 24, 4, 0, 0, 0, time.UTC)
	fig := func(name string, st health.ConditionStatus, reason string) SupplierFigures {
		return SupplierFigures{Snapshot: health.Snapshot{Supplier: name}, Verdict: health.Condition{Status: st, Reason: reason}}
	}
	ok := []SupplierFigures{fig("a", health.ConditionTrue, "Healthy"), fig("b", health.ConditionUnknown, "Inconclusive")}
	hist := func(pairs ...int64) (h []sample) {
		for i := 0; i < len(pairs); i += 2 {
			h = append(h, sample{At: t0.Add(time.Duration(i/2) * 15 * time.Second), DeadLettered: pairs[i], Backlog: pairs[i+1]})
		}
		return h
	}
	cases := map[string]struct {
		sups    []SupplierFigures
		history []sample
		want    verdict
	}{
		"healthy": {ok, hist(0, 5, 0, 3, 0, 4), verdict{metav1.ConditionFalse, "Succeeded", "every supplier is healthy and lines flow"}},
		"failing and ejected": {append(ok, fig("d", health.ConditionFalse, "Failing"), fig("c", health.ConditionFalse, "Ejected")), nil,
			verdict{metav1.ConditionTrue, "Ejected", "unhealthy suppliers: c, d"}},
		"slow":         {append(ok, fig("c", health.ConditionFalse, "SlowShipping")), nil, verdict{metav1.ConditionTrue, "SlowShipping", "unhealthy suppliers: c"}},
		"dead letters": {ok, hist(1, 0, 1, 0, 4, 0), verdict{metav1.ConditionTrue, "DeadLettered", "3 lines dead-lettered in the last 5m0s"}},
		"old dead letters": {ok, []sample{{At: t0, DeadLettered: 1}, {At: t0.Add(10 * time.Minute), DeadLettered: 4}},
			verdict{metav1.ConditionFalse, "Succeeded", "every supplier is healthy and lines flow"}},
		"backlog growing": {ok, hist(0, 1, 0, 2, 0, 3, 0, 9), verdict{metav1.ConditionTrue, "BacklogGrowing", "the backlog grew over the last 4 reports"}},
		"backlog dipped":  {ok, hist(0, 1, 0, 2, 0, 2, 0, 9), verdict{metav1.ConditionFalse, "Succeeded", "every supplier is healthy and lines flow"}},
	}
	for name, tc := range cases {
		if d := cmp.Diff(tc.want, degraded(tc.sups, tc.history, 5*time.Minute)); d != "" {
			t.Errorf("%s (-want +got):\n%s", name, d)
		}
	}
}

func TestDeadLetterEvent(t *testing.T) {
	t0 := time.Date(2026, 11, 24, 4, 0, 0, 0, time.UTC)
	var h []sample
	alarmed := false
	events := 0
	// 2 dead letters at 10s, 3 more at 20s (same burst), then quiet for longer than the window.
	for i, dl := range []int64{0, 2, 5, 5, 5, 5, 5, 5, 5} {
		h = trimHistory(append(h, sample{At: t0.Add(time.Duration(i) * 10 * time.Second), DeadLettered: dl}), 30*time.Second)
		var ev *event
		ev, alarmed = deadLetterEvent(alarmed, "main", deadLetteredWithin(h, 30*time.Second), 30*time.Second)
		if ev != nil {
			events++
			if ev.Reason != "DeadLettered" || ev.Type != "Warning" {
				t.Errorf("event %+v", ev)
			}
		}
	}
	if events != 1 || alarmed {
		t.Errorf("events = %d alarmed = %v, want 1 event and the alarm cleared", events, alarmed)
	}
}

func TestFieldManager(t *testing.T) {
	if got := FieldManager("main"); got != "dropship-dispatcher/main" {
		t.Errorf("FieldManager(main) = %q", got)
	}
	long := FieldManager(string(make([]byte, 200)))
	if len(long) != 128 {
		t.Errorf("long field manager has %d bytes", len(long))
	}
}

func TestElectionTimings(t *testing.T) {
	for _, iv := range []time.Duration{time.Second, 15 * time.Second} {
		lease, renew, retry := electionTimings(iv)
		if !(lease > renew && float64(renew) > 1.2*float64(retry) && retry < iv) {
			t.Errorf("interval %s: lease %s renew %s retry %s break client-go's rules or renew less than once per interval", iv, lease, renew, retry)
		}
	}
}
