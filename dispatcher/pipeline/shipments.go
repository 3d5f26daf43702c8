package pipeline

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/dropship-operator/dropship-operator/dispatcher/order"
	"github.com/dropship-operator/dropship-operator/dispatcher/store"
	"github.com/dropship-operator/dropship-operator/dispatcher/supplier"
)

// Errors of Shipped (compare with errors.Is).
var (
	// ErrUnknownShipment: no line of this supplier has that order id or key.
	ErrUnknownShipment = errors.New("no line of this supplier matches the shipment")
	// ErrNotShippable: the line is not in a state a shipment can follow (not accepted yet,
	// or cancelled).
	ErrNotShippable = errors.New("line is not waiting for a shipment")
)

// Shipped records a shipment a supplier reported (callback or poll) for one of its lines:
// the line moves to Shipped, and — without an ERP to write the tracking number to — on to
// Closed in the same batch. A repeated report of a line already shipped is accepted and
// changes nothing. It returns the line as it is now.
func (p *Pipeline) Shipped(ctx context.Context, supplierName string, cb supplier.Callback) (*store.Line, error) {
	var l *store.Line
	var err error
	if cb.SupplierOrderID != "" {
		l, err = p.st.FindBySupplierOrder(ctx, supplierName, cb.SupplierOrderID)
	}
	if (l == nil || errors.Is(err, store.ErrNotFound)) && cb.IdempotencyKey != "" {
		l, err = p.st.FindByIdempotencyKey(ctx, cb.IdempotencyKey)
	}
	if errors.Is(err, store.ErrNotFound) || (err == nil && (l == nil || l.Supplier != supplierName)) {
		p.m.Callbacks.WithLabelValues(supplierName, "unknown").Inc()
		return nil, fmt.Errorf("cannot record shipment of supplier %q: %w", supplierName, ErrUnknownShipment)
	}
	if err != nil {
		return nil, fmt.Errorf("cannot find line of supplier %q: %w", supplierName, err)
	}
	switch l.State {
	case order.StateShipped, order.StateClosed:
		p.m.Callbacks.WithLabelValues(supplierName, "duplicate").Inc()
		return l, nil
	case order.StateAccepted, order.StateRecorded:
	default:
		p.m.Callbacks.WithLabelValues(supplierName, "conflict").Inc()
		return l, fmt.Errorf("cannot record shipment of line %q in state %s: %w", l.ID, l.State, ErrNotShippable)
	}
	sh := cb.Shipment()
	if sh.ShippedAt.IsZero() {
		sh.ShippedAt = time.Now().UTC()
	}
	changes := []store.Change{{ID: l.ID, From: l.State, Version: l.Version, To: order.StateShipped,
		Shipment: &sh, ReleaseLease: true}}
	if p.opts.Tracking == nil && p.opts.Recorder == nil {
		changes = append(changes, store.Change{ID: l.ID, From: order.StateShipped, Version: l.Version + 1,
			To: order.StateClosed, ReleaseLease: true})
	}
	errs, err := p.st.Apply(ctx, changes)
	if err == nil {
		err = errors.Join(errs...)
	}
	if err != nil {
		if errors.Is(err, store.ErrConflict) {
			// Someone moved it meanwhile (a concurrent duplicate callback): read it again.
			if cur, gerr := p.st.Get(ctx, l.ID); gerr == nil && (cur.State == order.StateShipped || cur.State == order.StateClosed) {
				p.m.Callbacks.WithLabelValues(supplierName, "duplicate").Inc()
				return cur, nil
			}
		}
		return nil, fmt.Errorf("cannot record shipment of line %q: %w", l.ID, err)
	}
	p.m.Callbacks.WithLabelValues(supplierName, "shipped").Inc()
	for _, c := range changes {
		p.committed(l, c)
	}
	if h := p.opts.Health; h != nil && !l.AcceptedAt.IsZero() {
		h.RecordShipment(supplierName, l.AcceptedAt, sh.ShippedAt)
	}
	p.log.V(1).Info("line shipped", "line", l.ID, "supplier", supplierName)
	if len(changes) == 1 {
		wake(p.wakeClose)
	}
	return p.st.Get(ctx, l.ID)
}

// pollShipments asks a polled supplier about its accepted lines every interval.
func (p *Pipeline) pollShipments(ctx context.Context, name string, sp ShipmentPolling) {
	interval := sp.Interval
	if interval <= 0 {
		interval = 5 * time.Minute
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		after := ""
		for ctx.Err() == nil {
			lines, err := p.st.List(ctx, store.Filter{States: []order.State{order.StateAccepted, order.StateRecorded},
				Supplier: name, After: after, Limit: p.opts.BatchSize})
			if err != nil {
				p.log.Error(err, "cannot list lines to poll", "supplier", name)
				break
			}
			for _, l := range lines {
				sh, err := sp.Poller.PollShipment(ctx, l.SupplierOrderID, l.IdempotencyKey)
				if err != nil {
					if ctx.Err() == nil {
						p.log.Error(err, "cannot poll shipment", "supplier", name, "line", l.ID)
					}
					continue
				}
				if sh == nil {
					continue
				}
				cb := supplier.Callback{SupplierOrderID: l.SupplierOrderID, IdempotencyKey: l.IdempotencyKey,
					TrackingNo: sh.TrackingNo, Carrier: sh.Carrier, ShippedAt: sh.ShippedAt}
				if _, err := p.Shipped(ctx, name, cb); err != nil && ctx.Err() == nil {
					p.log.Error(err, "cannot record polled shipment", "supplier", name, "line", l.ID)
				}
			}
			if len(lines) < p.opts.BatchSize {
				break
			}
			after = lines[len(lines)-1].ID
		}
	}
}
