package kube

import (
	"context"
	"slices"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	dropshipv1 "github.com/dropship-operator/dropship-operator/api/v1alpha1"
)

// supplierStatusDoc is the part of Supplier.status a dispatcher applies.
type supplierStatusDoc struct {
	Dispatchers []dropshipv1.DispatcherHealthReport `json:"dispatchers"`
	Health      *dropshipv1.SupplierHealth          `json:"health,omitempty"`
	Conditions  []metav1.Condition                  `json:"conditions"`
}

// reportSupplier writes one supplier's entry, merged health and Healthy condition when
// its figures changed significantly, and emits the Event of a verdict change.
func (r *Reporter) reportSupplier(ctx context.Context, f SupplierFigures, now time.Time) error {
	name := f.Snapshot.Supplier
	policy := r.opts.Policy.String()
	view := supplierView{Entry: supplierReport(policy, f.Snapshot), Verdict: fromHealth(f.Verdict)}
	prev := r.suppliers[name]
	if !significantSupplier(prev, view) {
		return nil
	}
	var cur dropshipv1.Supplier
	found, err := r.get(ctx, suppliersGVR, name, &cur)
	if err != nil || !found {
		return err
	}
	if prev == nil {
		// A new leader takes the alarm over from the condition as it stands.
		c := findCondition(cur.Status.Conditions, dropshipv1.HealthyCondition)
		r.alarmed[name] = c != nil && c.Status == metav1.ConditionFalse
	}
	entry := view.Entry
	entry.ReportedAt = &metav1.Time{Time: now.Truncate(time.Second)}
	others := slices.DeleteFunc(slices.Clone(cur.Status.Dispatchers), func(e dropshipv1.DispatcherHealthReport) bool {
		return e.Policy == policy
	})
	v := healthyVerdict(view.Verdict, others)
	doc := supplierStatusDoc{
		Dispatchers: []dropshipv1.DispatcherHealthReport{entry},
		Health:      mergeHealth(append(others, entry)),
		Conditions:  []metav1.Condition{condition(dropshipv1.HealthyCondition, v, cur.Status.Conditions, cur.Generation, now)},
	}
	if err := r.apply(ctx, suppliersGVR, dropshipv1.SupplierKind, name, doc); err != nil {
		return err
	}
	r.suppliers[name] = &view
	ev, alarmed := supplierEvent(r.alarmed[name], name, policy, v)
	r.alarmed[name] = alarmed
	if ev != nil {
		ev.UID = cur.UID
		r.emit(ctx, ev, now)
	}
	return nil
}

// policyStatusDoc is the part of RoutingPolicy.status a dispatcher applies.
type policyStatusDoc struct {
	Dispatcher       heartbeatDoc            `json:"dispatcher"`
	Allocation       []dropshipv1.Allocation `json:"allocation"`
	Throughput       dropshipv1.Throughput   `json:"throughput"`
	EffectiveWeights string                  `json:"effectiveWeights,omitempty"`
	Conditions       []metav1.Condition      `json:"conditions"`
}

type heartbeatDoc struct {
	LastHeartbeatTime metav1.Time `json:"lastHeartbeatTime"`
}

// reportPolicy writes the policy's allocation, throughput, weights and Degraded condition
// when they changed significantly, and emits the Event of a dead-letter burst.
func (r *Reporter) reportPolicy(ctx context.Context, f *Figures) error {
	byName := make(map[string]SupplierFigures, len(f.Suppliers))
	for _, s := range f.Suppliers {
		byName[s.Snapshot.Supplier] = s
	}
	tp := throughput(f.Counts, f.Source)
	r.history = trimHistory(append(r.history, sample{At: f.Now, DeadLettered: tp.DeadLettered, Backlog: tp.Backlog}), f.Window)
	view := policyView{
		Allocation: allocationRows(f.Allocation, f.Accepted, byName),
		Throughput: tp,
		Degraded:   degraded(f.Suppliers, r.history, f.Window),
	}
	if significantPolicy(r.policy, view) {
		var cur dropshipv1.RoutingPolicy
		found, err := r.get(ctx, policiesGVR, r.opts.Policy.Name, &cur)
		if err != nil || !found {
			return err
		}
		r.policyUID = cur.UID
		doc := policyStatusDoc{
			Dispatcher:       heartbeatDoc{LastHeartbeatTime: metav1.NewTime(f.Now.Truncate(time.Second))},
			Allocation:       view.Allocation,
			Throughput:       view.Throughput,
			EffectiveWeights: effectiveWeights(view.Allocation),
			Conditions:       []metav1.Condition{condition(dropshipv1.DegradedCondition, view.Degraded, cur.Status.Conditions, cur.Generation, f.Now)},
		}
		if err := r.apply(ctx, policiesGVR, dropshipv1.RoutingPolicyKind, r.opts.Policy.Name, doc); err != nil {
			return err
		}
		r.policy = &view
	}
	ev, alarmed := deadLetterEvent(r.dlAlarm, r.opts.Policy.Name, deadLetteredWithin(r.history, f.Window), f.Window)
	r.dlAlarm = alarmed
	if ev != nil {
		ev.UID = r.policyUID
		r.emit(ctx, ev, f.Now)
	}
	return nil
}

// reportSource writes the OrderSource's poll figures when they changed.
func (r *Reporter) reportSource(ctx context.Context, s *SourceFigures, now time.Time) error {
	next := dropshipv1.OrderSourceStatus{Watermark: truncate(s.Watermark, 64), OrdersReceived: s.OrdersReceived}
	if !s.LastPollTime.IsZero() {
		next.LastPollTime = &metav1.Time{Time: s.LastPollTime.Truncate(time.Second)}
	}
	if !significantSource(r.source, next) {
		return nil
	}
	doc := struct {
		LastPollTime   *metav1.Time `json:"lastPollTime,omitempty"`
		Watermark      string       `json:"watermark,omitempty"`
		OrdersReceived int64        `json:"ordersReceived"`
	}{next.LastPollTime, next.Watermark, next.OrdersReceived}
	if err := r.apply(ctx, ordersourcesGVR, "OrderSource", r.opts.Source, doc); err != nil {
		return err
	}
	r.source = &next
	return nil
}

func findCondition(cs []metav1.Condition, t string) *metav1.Condition {
	for i := range cs {
		if cs[i].Type == t {
			return &cs[i]
		}
	}
	return nil
}
