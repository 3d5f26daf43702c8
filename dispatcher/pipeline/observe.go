package pipeline

import (
	"context"
	"time"

	"github.com/dropship-operator/dropship-operator/dispatcher/delivery"
	"github.com/dropship-operator/dropship-operator/dispatcher/health"
	"github.com/dropship-operator/dropship-operator/dispatcher/order"
	"github.com/dropship-operator/dropship-operator/dispatcher/store"
)

// observer is the Pipeline seen by delivery: it turns every call and every journaled
// change into metrics, health records and wake-ups of the next stage.
type observer Pipeline

var healthOutcome = map[delivery.Outcome]health.Outcome{
	delivery.OutcomeAccepted:  health.Success,
	delivery.OutcomeError:     health.Transient,
	delivery.OutcomeTimeout:   health.Timeout,
	delivery.OutcomeThrottled: health.Throttled,
	delivery.OutcomeRejected:  health.Rejected,
}

var circuitOf = map[delivery.BreakerState]health.Circuit{
	delivery.BreakerClosed:   health.CircuitClosed,
	delivery.BreakerOpen:     health.CircuitOpen,
	delivery.BreakerHalfOpen: health.CircuitHalfOpen,
}

func (o *observer) Attempt(supplier string, outcome delivery.Outcome, took time.Duration, err error) {
	p := (*Pipeline)(o)
	p.m.Requests.WithLabelValues(supplier, string(outcome)).Inc()
	p.m.RequestDuration.WithLabelValues(supplier).Observe(took.Seconds())
	b := p.deliver.Breaker(supplier)
	p.m.Circuit.WithLabelValues(supplier).Set(float64(b))
	if h := p.opts.Health; h != nil {
		h.Record(supplier, healthOutcome[outcome], took, err)
		h.SetCircuit(supplier, circuitOf[b])
	}
}

func (o *observer) Committed(l *store.Line, c store.Change) { (*Pipeline)(o).committed(l, c) }

// circuitLoop publishes every supplier's circuit state to the health windows and the
// metrics twice a second, so that an open circuit whose period ended reads half-open even
// when no call is waiting for that supplier: routing then sends it a line again (the probe)
// instead of excluding it for good.
func (p *Pipeline) circuitLoop(ctx context.Context) {
	t := time.NewTicker(500 * time.Millisecond)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		for _, s := range p.opts.Suppliers {
			b := p.deliver.Breaker(s.Name)
			p.m.Circuit.WithLabelValues(s.Name).Set(float64(b))
			if h := p.opts.Health; h != nil {
				h.SetCircuit(s.Name, circuitOf[b])
			}
		}
	}
}

// committed accounts for a change journaled to line l (as it was before the change).
func (p *Pipeline) committed(l *store.Line, c store.Change) {
	if c.To != c.From {
		p.m.Transitions.WithLabelValues(string(c.To)).Inc()
	}
	sup := l.Supplier
	if c.Supplier != nil {
		sup = *c.Supplier
	}
	switch c.To {
	case order.StateAccepted:
		now := time.Now()
		if !l.CreatedAt.IsZero() {
			p.m.AcceptedLatency.Observe(now.Sub(l.CreatedAt).Seconds())
		}
		if h := p.opts.Health; h != nil {
			h.RecordAccepted(sup, now)
		}
		if p.opts.Recorder != nil {
			wake(p.wakeERP)
		}
		p.log.V(1).Info("line accepted", "line", l.ID, "supplier", sup)
	case order.StateRejected:
		p.log.Info("line refused, rerouting", "line", l.ID, "supplier", sup, "reason", deref(c.Reason))
		wake(p.wakeRoute)
	case order.StateDeadLettered:
		p.log.Info("line dead-lettered", "line", l.ID, "supplier", sup, "reason", deref(c.Reason))
	case order.StateShadowed:
		p.log.V(1).Info("line shadowed", "line", l.ID, "supplier", sup)
	}
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
