package kube

import (
	"math"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	dropshipv1 "github.com/dropship-operator/dropship-operator/api/v1alpha1"
)

// Thresholds: a report is written only when it differs from the last one written by at
// least one of these. Figures that drift by themselves while nothing happens (the window
// sliding: request counts, last success time) never trigger a write on their own; they
// ride along with the next write.
const (
	// ratePoints: success, throttled and share percentages move by 1 point or more.
	ratePoints = 1.0
	// relativeChange: p95 latency and ship lag move by more than 10%.
	relativeChange = 0.10
	// weightFraction: an effective weight moves by 5% of its base weight or more (and by
	// at least 1).
	weightFraction = 0.05
	// sourceStaleAfter: an unchanged OrderSource still gets its lastPollTime refreshed
	// this often, so a stuck poller shows.
	sourceStaleAfter = 5 * time.Minute
)

// supplierView is what decides whether a supplier's report is written.
type supplierView struct {
	Entry   dropshipv1.DispatcherHealthReport
	Verdict verdict
}

// significantSupplier reports whether next differs enough from prev (nil: never written)
// to be written: state, verdict status or reason, last error, orders today or capacity
// changed, a rate moved by ratePoints, a p95 by relativeChange.
func significantSupplier(prev *supplierView, next supplierView) bool {
	if prev == nil {
		return true
	}
	p, n := prev.Entry.SupplierHealth, next.Entry.SupplierHealth
	return prev.Verdict.Status != next.Verdict.Status || prev.Verdict.Reason != next.Verdict.Reason ||
		p.State != n.State || p.LastError != n.LastError || p.OrdersToday != n.OrdersToday ||
		!equalPtr(p.CapacityRemainingToday, n.CapacityRemainingToday) ||
		ratesMoved(p.SuccessRate, n.SuccessRate) || ratesMoved(p.ThrottledRate, n.ThrottledRate) ||
		relMoved(float64(p.P95LatencyMillis), float64(n.P95LatencyMillis)) ||
		relMoved(durSeconds(p.ShipLagP95), durSeconds(n.ShipLagP95))
}

// policyView is what decides whether the policy's report is written.
type policyView struct {
	Allocation []dropshipv1.Allocation
	Throughput dropshipv1.Throughput
	Degraded   verdict
}

// significantPolicy reports whether next differs enough from prev (nil: never written):
// Degraded's status or reason, any counter, the last poll time, the rows' suppliers,
// states, reasons or ejections, a weight by weightFraction, a share by ratePoints.
func significantPolicy(prev *policyView, next policyView) bool {
	if prev == nil {
		return true
	}
	if prev.Degraded.Status != next.Degraded.Status || prev.Degraded.Reason != next.Degraded.Reason {
		return true
	}
	pt, nt := prev.Throughput, next.Throughput
	pt.LastPollTime, nt.LastPollTime = nil, nil
	if pt != nt || !prev.Throughput.LastPollTime.Equal(next.Throughput.LastPollTime) {
		return true
	}
	if len(prev.Allocation) != len(next.Allocation) {
		return true
	}
	for i, p := range prev.Allocation {
		n := next.Allocation[i]
		if p.Rule != n.Rule || p.Supplier != n.Supplier || p.Tier != n.Tier || p.BaseWeight != n.BaseWeight ||
			p.State != n.State || p.Reason != n.Reason || !p.EjectedUntil.Equal(n.EjectedUntil) ||
			(p.ActualShare == "") != (n.ActualShare == "") ||
			ratesMoved(p.Share, n.Share) || ratesMoved(p.ActualShare, n.ActualShare) {
			return true
		}
		if d := math.Abs(float64(p.EffectiveWeight - n.EffectiveWeight)); d >= 1 && d >= weightFraction*float64(p.BaseWeight) {
			return true
		}
	}
	return false
}

// significantSource reports whether the OrderSource's poll figures are worth writing:
// orders received or the watermark changed. A poll that found nothing only moves
// lastPollTime, which is written when the report is written anyway, or when it is
// staleAfter older than the one written.
func significantSource(prev *dropshipv1.OrderSourceStatus, next dropshipv1.OrderSourceStatus) bool {
	if prev == nil {
		return true
	}
	if prev.OrdersReceived != next.OrdersReceived || prev.Watermark != next.Watermark {
		return true
	}
	if prev.LastPollTime == nil || next.LastPollTime == nil {
		return prev.LastPollTime != next.LastPollTime
	}
	return next.LastPollTime.Sub(prev.LastPollTime.Time) >= sourceStaleAfter
}

func ratesMoved(a, b string) bool {
	if (a == "") != (b == "") {
		return true
	}
	return math.Abs(parsePercent(a)-parsePercent(b))*100 >= ratePoints
}

func relMoved(a, b float64) bool {
	if a == b {
		return false
	}
	if a == 0 || b == 0 {
		return true
	}
	return math.Abs(b-a)/a > relativeChange
}

func durSeconds(d *metav1.Duration) float64 {
	if d == nil {
		return 0
	}
	return d.Seconds()
}

func equalPtr(a, b *int64) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}
