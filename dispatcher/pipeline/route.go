package pipeline

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/dropship-operator/dropship-operator/dispatcher/config"
	"github.com/dropship-operator/dropship-operator/dispatcher/delivery"
	"github.com/dropship-operator/dropship-operator/dispatcher/order"
	"github.com/dropship-operator/dropship-operator/dispatcher/store"
)

// routeLoop claims Received and Rejected lines, decides their supplier, journals the
// decision (Routed, or Shadowed in shadow mode, or DeadLettered when invalid or
// unroutable) and hands routed lines to delivery.
func (p *Pipeline) routeLoop(ctx context.Context) {
	t := time.NewTicker(p.opts.Tick)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-p.wakeRoute:
		}
		for ctx.Err() == nil {
			n, err := p.routeBatch(ctx)
			if err != nil {
				if ctx.Err() == nil {
					p.log.Error(err, "cannot route lines")
				}
				break
			}
			if n == 0 {
				break
			}
		}
	}
}

// routeBatch routes one batch and returns how many lines it claimed (0: nothing to do or
// no room in the supplier queues).
func (p *Pipeline) routeBatch(ctx context.Context) (int, error) {
	limit := p.opts.BatchSize
	if p.opts.Mode == config.ModeLive {
		limit = min(limit, p.deliver.Free())
		if limit <= 0 {
			return 0, nil
		}
	}
	lines, err := p.st.Claim(ctx, store.ClaimRequest{
		Owner: p.opts.Owner, States: []order.State{order.StateReceived, order.StateRejected},
		Now: time.Now(), Limit: limit, Lease: p.opts.Lease,
	})
	if err != nil || len(lines) == 0 {
		return 0, err
	}
	var open []string
	for _, s := range p.opts.Suppliers {
		if p.deliver.Breaker(s.Name) == delivery.BreakerOpen {
			open = append(open, s.Name)
		}
	}
	valid := map[*order.Order]error{}
	changes := make([]store.Change, 0, len(lines))
	for _, l := range lines {
		changes = append(changes, p.decide(ctx, l, open, valid))
	}
	errs, err := p.st.Apply(context.WithoutCancel(ctx), changes)
	if err != nil {
		return 0, fmt.Errorf("cannot journal %d routing decisions: %w", len(changes), err)
	}
	var routed []*store.Line
	for i, c := range changes {
		if errs[i] != nil {
			if !errors.Is(errs[i], store.ErrConflict) {
				p.log.Error(errs[i], "cannot journal routing decision", "line", c.ID)
			}
			continue
		}
		p.committed(lines[i], c)
		if c.To != order.StateRouted {
			continue
		}
		nl := *lines[i]
		nl.State, nl.Version = c.To, c.Version+1
		nl.Supplier, nl.Rule, nl.Tier, nl.Explain = *c.Supplier, *c.Rule, *c.Tier, c.Explain
		nl.IdempotencyKey, nl.Attempts = *c.IdempotencyKey, 0
		routed = append(routed, &nl)
	}
	if len(routed) > 0 {
		if err := p.deliver.Launch(ctx, routed); err != nil {
			return 0, err
		}
	}
	return len(lines), nil
}

// decide returns the change that journals the routing decision for one line.
func (p *Pipeline) decide(ctx context.Context, l *store.Line, open []string, valid map[*order.Order]error) store.Change {
	c := store.Change{ID: l.ID, From: l.State, Version: l.Version, ReleaseLease: true}
	deadLetter := func(reason string) store.Change {
		c.To = order.StateDeadLettered
		c.Reason = &reason
		return c
	}
	if l.Order == nil {
		return deadLetter("the journaled order could not be read")
	}
	verr, seen := valid[l.Order]
	if !seen {
		verr = l.Order.Validate()
		valid[l.Order] = verr
	}
	if verr != nil {
		return deadLetter(verr.Error())
	}
	var d Decision
	var err error
	if l.State == order.StateReceived && l.Supplier != "" && l.IdempotencyKey != "" && !slices.Contains(l.Tried, l.Supplier) {
		// A replayed line that may already have reached its supplier stays with it and its
		// key, so the supplier dedupes and no second supplier ships it.
		d = Decision{Supplier: l.Supplier, Rule: l.Rule, Tier: l.Tier, Explain: l.Explain}
	} else {
		exclude := append(slices.Clone(l.Tried), open...)
		d, err = p.opts.Router.Route(ctx, l, exclude)
		if err != nil && len(open) > 0 {
			// Every candidate has an open circuit: route anyway, delivery waits for it.
			d, err = p.opts.Router.Route(ctx, l, l.Tried)
		}
	}
	if err != nil {
		c.Explain = d.Explain
		reason := fmt.Sprintf("cannot route line: %v", err)
		if len(l.Tried) > 0 {
			reason = fmt.Sprintf("cannot route line (refused by %v): %v", l.Tried, err)
		}
		return deadLetter(reason)
	}
	c.Supplier, c.Rule, c.Tier, c.Explain = &d.Supplier, &d.Rule, &d.Tier, d.Explain
	if p.opts.Mode == config.ModeShadow {
		c.To = order.StateShadowed
		return c
	}
	key := order.IdempotencyKey(l.Source, l.BillNo, l.EntryID, d.Supplier)
	zero := 0
	c.To = order.StateRouted
	c.IdempotencyKey = &key
	c.Attempts = &zero
	c.ReleaseLease = false
	return c
}
