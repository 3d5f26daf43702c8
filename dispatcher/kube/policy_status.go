package kube

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	dropshipv1 "github.com/dropship-operator/dropship-operator/api/v1alpha1"
	"github.com/dropship-operator/dropship-operator/dispatcher/health"
	"github.com/dropship-operator/dropship-operator/dispatcher/order"
	"github.com/dropship-operator/dropship-operator/dispatcher/routing"
)

// allocationRows turns the engine's allocation into status rows: integer weights, the
// expected share and the actual share of accepted lines in the window, and for an Active
// supplier that lost weight the reason in condition words (its verdict's reason, or the
// health factor that cost it the most).
func allocationRows(allocs []routing.Allocation, accepted map[string]int64, sups map[string]SupplierFigures) []dropshipv1.Allocation {
	ruleTotal := map[string]int64{}
	for _, a := range allocs {
		ruleTotal[a.Rule] += accepted[a.Supplier]
	}
	rows := make([]dropshipv1.Allocation, 0, len(allocs))
	for _, a := range allocs {
		r := dropshipv1.Allocation{
			Rule: a.Rule, Supplier: a.Supplier, Tier: int32(a.Tier), BaseWeight: a.BaseWeight,
			EffectiveWeight: int32(math.Round(a.EffectiveWeight)),
			State:           dropshipv1.AllocationState(a.State),
			Reason:          string(a.Reason),
		}
		if a.ExpectedShare > 0 || a.State == routing.AllocationActive {
			r.Share = percent(a.ExpectedShare)
		}
		if t := ruleTotal[a.Rule]; t > 0 {
			r.ActualShare = percent(float64(accepted[a.Supplier]) / float64(t))
		}
		if !a.EjectedUntil.IsZero() {
			r.EjectedUntil = &metav1.Time{Time: a.EjectedUntil.Truncate(time.Second)}
		}
		if r.Reason == "" && r.EffectiveWeight < r.BaseWeight {
			r.Reason = weightReason(sups[a.Supplier])
		}
		rows = append(rows, r)
	}
	return rows
}

// weightReason says why an active supplier's weight is below its base weight.
func weightReason(f SupplierFigures) string {
	if f.Verdict.Status == health.ConditionFalse {
		return f.Verdict.Reason
	}
	fs := f.Snapshot.Factors
	worst, reason := 1.0, ""
	for _, c := range []struct {
		v float64
		r string
	}{
		{fs.Success, dropshipv1.FailingReason},
		{fs.Throttling, dropshipv1.ThrottledReason},
		{fs.SlowShip, dropshipv1.SlowShippingReason},
		{fs.SlowLatency, dropshipv1.SlowLatencyReason},
	} {
		if c.v > 0 && c.v < worst {
			worst, reason = c.v, c.r
		}
	}
	return reason
}

// effectiveWeights is the one-line summary for the Weights column: "c=12,d=44,e=44", or
// "north: c=12,d=44; south: a=70" with several rules.
func effectiveWeights(rows []dropshipv1.Allocation) string {
	var rules []string
	byRule := map[string][]string{}
	for _, r := range rows {
		if _, ok := byRule[r.Rule]; !ok {
			rules = append(rules, r.Rule)
		}
		byRule[r.Rule] = append(byRule[r.Rule], r.Supplier+"="+strconv.Itoa(int(r.EffectiveWeight)))
	}
	parts := make([]string, 0, len(rules))
	for _, rule := range rules {
		p := strings.Join(byRule[rule], ",")
		if len(rules) > 1 {
			p = rule + ": " + p
		}
		parts = append(parts, p)
	}
	s := strings.Join(parts, "; ")
	if len(s) > 1024 {
		s = s[:1021] + "..."
	}
	return s
}

// throughput is the policy's line counters from the journal's counts. A line counts in
// every state it passed: a shipped line was dispatched too.
func throughput(counts map[order.State]int64, src *SourceFigures) dropshipv1.Throughput {
	var t dropshipv1.Throughput
	for _, n := range counts {
		t.Received += n
	}
	c := func(ss ...order.State) (n int64) {
		for _, s := range ss {
			n += counts[s]
		}
		return n
	}
	t.Shipped = c(order.StateShipped, order.StateClosed)
	t.Recorded = c(order.StateRecorded) + t.Shipped
	t.Dispatched = c(order.StateAccepted) + t.Recorded
	t.DeadLettered = c(order.StateDeadLettered)
	t.Backlog = c(order.StateReceived, order.StateRouted, order.StateSubmitted, order.StateRejected)
	if src != nil && !src.LastPollTime.IsZero() {
		t.LastPollTime = &metav1.Time{Time: src.LastPollTime.Truncate(time.Second)}
	}
	return t
}

// sample is one report's journal figures, kept to see dead letters and backlog grow.
type sample struct {
	At           time.Time
	DeadLettered int64
	Backlog      int64
}

// backlogSamples is how many consecutive reports the backlog must grow over to count as
// growing.
const backlogSamples = 4

// degraded is the policy's Degraded condition: True when a supplier is ejected or
// unhealthy (the worst reason wins: Ejected, Failing, Throttled, SlowShipping, SlowLatency), else when
// lines were dead-lettered within the window, else when the backlog grew over the last
// backlogSamples reports; False otherwise. history is oldest first and ends with now.
func degraded(sups []SupplierFigures, history []sample, window time.Duration) verdict {
	rank := map[string]int{
		dropshipv1.EjectedReason: 0, dropshipv1.FailingReason: 1,
		dropshipv1.ThrottledReason: 2, dropshipv1.SlowShippingReason: 3, dropshipv1.SlowLatencyReason: 4,
	}
	best, reason := len(rank), ""
	var names []string
	for _, s := range sups {
		if s.Verdict.Status != health.ConditionFalse {
			continue
		}
		names = append(names, s.Snapshot.Supplier)
		if r, ok := rank[s.Verdict.Reason]; ok && r < best {
			best, reason = r, s.Verdict.Reason
		}
	}
	if len(names) > 0 {
		if reason == "" {
			reason = dropshipv1.FailingReason
		}
		slices.Sort(names)
		return verdict{metav1.ConditionTrue, reason, fmt.Sprintf("unhealthy suppliers: %s", joinMax(names, 5))}
	}
	if n := len(history); n > 1 {
		now := history[n-1]
		for _, h := range history[:n-1] {
			if now.At.Sub(h.At) <= window && now.DeadLettered > h.DeadLettered {
				return verdict{metav1.ConditionTrue, dropshipv1.DeadLetteredReason,
					fmt.Sprintf("%d lines dead-lettered in the last %s", now.DeadLettered-h.DeadLettered, window)}
			}
		}
		if n >= backlogSamples {
			growing := true
			for i := n - backlogSamples + 1; i < n; i++ {
				growing = growing && history[i].Backlog > history[i-1].Backlog
			}
			if growing {
				return verdict{metav1.ConditionTrue, dropshipv1.BacklogGrowingReason,
					fmt.Sprintf("the backlog grew over the last %d reports", backlogSamples)}
			}
		}
	}
	return verdict{metav1.ConditionFalse, dropshipv1.SucceededReason, "every supplier is healthy and lines flow"}
}

// trimHistory keeps the samples within window of the newest, and at least backlogSamples.
func trimHistory(h []sample, window time.Duration) []sample {
	if len(h) == 0 {
		return h
	}
	now := h[len(h)-1].At
	i := 0
	for i < len(h)-backlogSamples && now.Sub(h[i].At) > window {
		i++
	}
	return h[i:]
}
