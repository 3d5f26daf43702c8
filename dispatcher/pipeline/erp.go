package pipeline

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/dropship-operator/dropship-operator/dispatcher/order"
	"github.com/dropship-operator/dropship-operator/dispatcher/store"
)

// erpRetry is how long a failed ERP write-back waits before it is tried again.
const erpRetry = 30 * time.Second

// SourceCursor is the store cursor holding the ERP watermark of a source.
func SourceCursor(source string) string { return "source/" + source + "/watermark" }

// sourceLoop polls the ERP, journals what it finds, then advances the watermark: a crash
// between the two repeats the poll, and intake dedupes.
func (p *Pipeline) sourceLoop(ctx context.Context) {
	for {
		if err := p.pollOnce(ctx); err != nil && ctx.Err() == nil {
			p.m.SourcePolls.WithLabelValues("error").Inc()
			p.log.Error(err, "cannot poll the order source", "source", p.opts.Source)
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(p.opts.PollInterval):
		}
	}
}

func (p *Pipeline) pollOnce(ctx context.Context) error {
	cursor := p.opts.SourceCursor
	wm, err := p.st.Cursor(ctx, cursor)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("cannot read watermark %q: %w", cursor, err)
	}
	orders, next, err := p.opts.Poller.Poll(ctx, wm)
	if err != nil {
		return fmt.Errorf("cannot poll orders after watermark %q: %w", wm, err)
	}
	var valid []*order.Order
	for _, o := range orders {
		if o.Source == "" {
			o.Source = p.opts.Source
		}
		if o.Validate() != nil {
			if err := p.IntakeInvalid(ctx, o); err != nil {
				// Not even identifiable: nothing to journal it under.
				p.log.Error(err, "cannot journal invalid order", "order", o.BillNo)
			}
			continue
		}
		valid = append(valid, o)
	}
	results, err := p.Intake(ctx, valid)
	if err != nil {
		return err
	}
	if next != "" && next != wm {
		if err := p.st.SetCursor(ctx, cursor, next); err != nil {
			return fmt.Errorf("cannot advance watermark %q: %w", cursor, err)
		}
		wm = next
	}
	if err := p.recordPoll(ctx, wm, results); err != nil {
		return err
	}
	p.m.SourcePolls.WithLabelValues("ok").Inc()
	if len(orders) > 0 {
		p.log.Info("orders polled", "source", p.opts.Source, "orders", len(orders), "watermark", next)
	}
	return nil
}

// claimLoop runs fn on batches of claimed lines in states until ctx ends.
func (p *Pipeline) claimLoop(ctx context.Context, wakeCh chan struct{}, states []order.State, limit int, fn func(context.Context, []*store.Line) []store.Change) {
	t := time.NewTicker(max(p.opts.Tick, time.Second))
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-wakeCh:
		}
		for ctx.Err() == nil {
			lines, err := p.st.Claim(ctx, store.ClaimRequest{Owner: p.opts.Owner, States: states,
				Now: time.Now(), Limit: limit, Lease: p.opts.Lease})
			if err != nil {
				if ctx.Err() == nil {
					p.log.Error(err, "cannot claim lines", "states", fmt.Sprint(states))
				}
				break
			}
			if len(lines) == 0 {
				break
			}
			n := len(lines)
			// A claim may hand back a line another stage moved meanwhile: skip it.
			lines = slices.DeleteFunc(lines, func(l *store.Line) bool { return !slices.Contains(states, l.State) })
			changes := fn(ctx, lines)
			if len(changes) > 0 {
				errs, err := p.st.Apply(context.WithoutCancel(ctx), changes)
				if err != nil {
					p.log.Error(err, "cannot journal write-backs")
					break
				}
				byID := map[string]*store.Line{}
				for _, l := range lines {
					byID[l.ID] = l
				}
				for i, c := range changes {
					if errs[i] == nil {
						p.committed(byID[c.ID], c)
					} else if !errors.Is(errs[i], store.ErrConflict) {
						p.log.Error(errs[i], "cannot journal write-back", "line", c.ID)
					}
				}
			}
			if n < limit {
				break
			}
		}
	}
}

// recordPurchaseOrders writes purchase orders one call at a time. A shipment can move a line
// from Accepted to Shipped while recordLoop is saving its purchase order; closeLoop then sees
// a Shipped line without one and records it too. The Recorder finds existing purchase orders
// before saving, but only those already saved: two concurrent calls for the same line both
// save. Serialized, the second call finds the first one's purchase order.
func (p *Pipeline) recordPurchaseOrders(ctx context.Context, lines []*store.Line) (map[string]string, error) {
	p.recordMu.Lock()
	defer p.recordMu.Unlock()
	return p.opts.Recorder.RecordPurchaseOrders(ctx, lines)
}

// recordLoop writes purchase orders for accepted lines (Accepted → Recorded). Lines whose
// write-back failed keep their claim until the lease ends and are tried again then.
func (p *Pipeline) recordLoop(ctx context.Context) {
	p.claimLoop(ctx, p.wakeERP, []order.State{order.StateAccepted}, p.opts.RecordBatch, func(ctx context.Context, lines []*store.Line) []store.Change {
		pos, err := p.recordPurchaseOrders(ctx, lines)
		if err != nil {
			p.log.Error(err, "cannot write purchase orders", "lines", len(lines))
		}
		var changes []store.Change
		for _, l := range lines {
			po, ok := pos[l.ID]
			if !ok {
				p.m.WriteBacks.WithLabelValues("purchase_order", "error").Inc()
				continue
			}
			p.m.WriteBacks.WithLabelValues("purchase_order", "ok").Inc()
			changes = append(changes, store.Change{ID: l.ID, From: l.State, Version: l.Version,
				To: order.StateRecorded, PurchaseOrderNo: &po, ReleaseLease: true})
		}
		return changes
	})
}

// closeLoop finishes shipped lines: the purchase order when the line shipped before it was
// recorded, the tracking number into the ERP, then Closed.
func (p *Pipeline) closeLoop(ctx context.Context) {
	p.claimLoop(ctx, p.wakeClose, []order.State{order.StateShipped}, p.opts.CloseBatch, func(ctx context.Context, lines []*store.Line) []store.Change {
		failed := map[string]bool{}
		pos := map[string]string{}
		if p.opts.Recorder != nil {
			var need []*store.Line
			for _, l := range lines {
				if l.PurchaseOrderNo == "" {
					need = append(need, l)
				}
			}
			if len(need) > 0 {
				got, err := p.recordPurchaseOrders(ctx, need)
				if err != nil {
					p.log.Error(err, "cannot write purchase orders", "lines", len(need))
				}
				for _, l := range need {
					if po, ok := got[l.ID]; ok {
						pos[l.ID] = po
						p.m.WriteBacks.WithLabelValues("purchase_order", "ok").Inc()
					} else {
						failed[l.ID] = true
						p.m.WriteBacks.WithLabelValues("purchase_order", "error").Inc()
					}
				}
			}
		}
		written := map[string]bool{}
		if p.opts.Tracking != nil {
			var need []*store.Line
			for _, l := range lines {
				if !l.ShipmentWrittenBack && !failed[l.ID] {
					need = append(need, l)
				}
			}
			if len(need) > 0 {
				ids, err := p.opts.Tracking.WriteTracking(ctx, need)
				if err != nil {
					p.log.Error(err, "cannot write tracking numbers", "lines", len(need))
				}
				for _, id := range ids {
					written[id] = true
				}
				for _, l := range need {
					if written[l.ID] {
						p.m.WriteBacks.WithLabelValues("tracking", "ok").Inc()
					} else {
						failed[l.ID] = true
						p.m.WriteBacks.WithLabelValues("tracking", "error").Inc()
					}
				}
			}
		}
		var changes []store.Change
		retryAt := time.Now().Add(erpRetry)
		yes := true
		for _, l := range lines {
			c := store.Change{ID: l.ID, From: l.State, Version: l.Version, To: order.StateClosed, ReleaseLease: true}
			if po, ok := pos[l.ID]; ok {
				c.PurchaseOrderNo = &po
			}
			if written[l.ID] {
				c.ShipmentWrittenBack = &yes
			}
			if failed[l.ID] {
				c.To = order.StateShipped
				c.NextAttemptAt = &retryAt
			}
			changes = append(changes, c)
		}
		return changes
	})
}
