package kube

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	dropshipv1 "github.com/dropship-operator/dropship-operator/api/v1alpha1"
	"github.com/dropship-operator/dropship-operator/dispatcher/health"
)

// verdict is a condition without its timestamps.
type verdict struct {
	Status  metav1.ConditionStatus
	Reason  string
	Message string
}

func fromHealth(c health.Condition) verdict {
	return verdict{Status: metav1.ConditionStatus(c.Status), Reason: c.Reason, Message: c.Message}
}

// supplierReport is this dispatcher's entry for one supplier, without reportedAt.
func supplierReport(policy string, s health.Snapshot) dropshipv1.DispatcherHealthReport {
	h := dropshipv1.SupplierHealth{
		Requests:               s.Requests,
		P95LatencyMillis:       s.P95LatencyMillis,
		OrdersToday:            s.OrdersToday,
		CapacityRemainingToday: s.CapacityRemainingToday,
		State:                  dropshipv1.SupplierState(s.State),
		LastError:              s.LastError,
	}
	if s.Window.Duration > 0 {
		h.Window = &metav1.Duration{Duration: s.Window.Duration}
	}
	if s.Requests > 0 {
		h.SuccessRate = percent(s.SuccessRate)
		h.ThrottledRate = percent(s.ThrottledRate)
	}
	if s.ShipLagSamples > 0 {
		h.ShipLagP95 = &metav1.Duration{Duration: s.ShipLagP95.Round(time.Second)}
	}
	if !s.LastSuccessTime.IsZero() {
		h.LastSuccessTime = &metav1.Time{Time: s.LastSuccessTime.Truncate(time.Second)}
	}
	if h.State == "" {
		h.State = dropshipv1.SupplierActive
	}
	return dropshipv1.DispatcherHealthReport{Policy: policy, SupplierHealth: h}
}

// stateRank orders states worst first.
func stateRank(s dropshipv1.SupplierState) int {
	switch s {
	case dropshipv1.SupplierEjected:
		return 0
	case dropshipv1.SupplierSuspended:
		return 1
	case dropshipv1.SupplierActive:
		return 2
	}
	return 3
}

// mergeHealth is status.health over every dispatcher's entry: the worst state, summed
// requests and orders, rates weighted by requests, the highest p95s, the capacity left
// after everyone's orders, the latest success, and the last error of the worst entry.
func mergeHealth(entries []dropshipv1.DispatcherHealthReport) *dropshipv1.SupplierHealth {
	if len(entries) == 0 {
		return nil
	}
	es := slices.Clone(entries)
	slices.SortStableFunc(es, func(a, b dropshipv1.DispatcherHealthReport) int {
		return cmp.Or(cmp.Compare(stateRank(a.State), stateRank(b.State)), cmp.Compare(a.Policy, b.Policy))
	})
	out := &dropshipv1.SupplierHealth{State: es[0].State}
	var success, throttled float64
	var weighted int64
	var perDay *int64
	for _, e := range es {
		out.Requests += e.Requests
		out.OrdersToday += e.OrdersToday
		out.P95LatencyMillis = max(out.P95LatencyMillis, e.P95LatencyMillis)
		if e.Window != nil && (out.Window == nil || e.Window.Duration > out.Window.Duration) {
			out.Window = e.Window.DeepCopy()
		}
		if e.ShipLagP95 != nil && (out.ShipLagP95 == nil || e.ShipLagP95.Duration > out.ShipLagP95.Duration) {
			out.ShipLagP95 = e.ShipLagP95.DeepCopy()
		}
		if e.LastSuccessTime != nil && (out.LastSuccessTime == nil || e.LastSuccessTime.After(out.LastSuccessTime.Time)) {
			out.LastSuccessTime = e.LastSuccessTime.DeepCopy()
		}
		if out.LastError == "" {
			out.LastError = e.LastError
		}
		if e.CapacityRemainingToday != nil {
			d := *e.CapacityRemainingToday + e.OrdersToday
			if perDay == nil || d < *perDay {
				perDay = &d
			}
		}
		if s, t := parsePercent(e.SuccessRate), parsePercent(e.ThrottledRate); e.Requests > 0 && s >= 0 {
			success += s * float64(e.Requests)
			throttled += max(t, 0) * float64(e.Requests)
			weighted += e.Requests
		}
	}
	if weighted > 0 {
		out.SuccessRate = percent(success / float64(weighted))
		out.ThrottledRate = percent(throttled / float64(weighted))
	}
	if perDay != nil {
		left := max(*perDay-out.OrdersToday, 0)
		out.CapacityRemainingToday = &left
	}
	return out
}

// healthyVerdict is the Supplier's Healthy condition: this dispatcher's verdict, unless
// another policy's entry says the supplier is ejected there (worst wins: False, then
// Unknown, then True).
func healthyVerdict(mine verdict, others []dropshipv1.DispatcherHealthReport) verdict {
	if mine.Status == metav1.ConditionFalse {
		return mine
	}
	var ejected []string
	for _, e := range others {
		if e.State == dropshipv1.SupplierEjected {
			ejected = append(ejected, e.Policy)
		}
	}
	if len(ejected) == 0 {
		return mine
	}
	slices.Sort(ejected)
	return verdict{Status: metav1.ConditionFalse, Reason: dropshipv1.EjectedReason,
		Message: fmt.Sprintf("ejected by outlier detection of %s", joinMax(ejected, 5))}
}

// joinMax lists up to n names, then how many more.
func joinMax(names []string, n int) string {
	if len(names) <= n {
		return strings.Join(names, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(names[:n], ", "), len(names)-n)
}
