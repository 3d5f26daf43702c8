package pipeline

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/dropship-operator/dropship-operator/dispatcher/config"
	"github.com/dropship-operator/dropship-operator/dispatcher/delivery"
	"github.com/dropship-operator/dropship-operator/dispatcher/order"
	"github.com/dropship-operator/dropship-operator/dispatcher/store"
)

// routeWorkers is how many goroutines route concurrently; their store writes share the
// journal's group commits.
const routeWorkers = 3

// routeLoop routes lines: those Intake just journaled, handed over in memory (no claim
// needed: the routing change is checked against the version Intake wrote), and, when that
// hand-over is idle, Received and Rejected lines claimed from the journal (rejections,
// replays, lines a crash or a full hand-over left behind). It journals each decision
// (Routed, or Shadowed in shadow mode, or DeadLettered when invalid or unroutable) and hands
// routed lines to delivery in the same store batch.
func (p *Pipeline) routeLoop(ctx context.Context) {
	var wg sync.WaitGroup
	for i := range routeWorkers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			p.routeWorker(ctx, i == 0)
		}()
	}
	wg.Wait()
}

// routeWorker routes fresh lines; the one with claims set also claims from the journal.
func (p *Pipeline) routeWorker(ctx context.Context, claims bool) {
	t := time.NewTicker(p.opts.Tick)
	defer t.Stop()
	for {
		var batch []*store.Line
		select {
		case <-ctx.Done():
			return
		case l := <-p.fresh:
			batch = append(batch, l)
		gather:
			for len(batch) < p.opts.BatchSize {
				select {
				case l := <-p.fresh:
					batch = append(batch, l)
				default:
					break gather
				}
			}
		case <-t.C:
		case <-p.wakeRoute:
		}
		if len(batch) > 0 {
			if err := p.routeLines(ctx, batch); err != nil && ctx.Err() == nil {
				p.log.Error(err, "cannot route lines")
			}
			continue
		}
		for claims && ctx.Err() == nil && len(p.fresh) == 0 {
			n, err := p.routeClaimed(ctx)
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

// routeClaimed claims a batch of Received and Rejected lines and routes it; it returns how
// many lines it claimed (0: nothing to do or no room in the supplier queues).
func (p *Pipeline) routeClaimed(ctx context.Context) (int, error) {
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
	return len(lines), p.routeLines(ctx, lines)
}

// routeLines decides every line and journals the decisions together with the launch of
// the routed lines.
func (p *Pipeline) routeLines(ctx context.Context, lines []*store.Line) error {
	valid := map[*order.Order]error{}
	pre := make([]delivery.Pre, 0, len(lines))
	var routed []*store.Line
	for _, l := range lines {
		if l.State != order.StateReceived && l.State != order.StateRejected {
			// A claim may hand back a line another stage moved meanwhile: not ours to route.
			continue
		}
		c := p.decide(ctx, l, valid)
		if c.To == "" {
			continue // wait: the claim (if any) lapses and the line is routed again
		}
		pre = append(pre, delivery.Pre{Line: l, Change: c})
		if c.To != order.StateRouted {
			continue
		}
		nl := *l
		nl.State, nl.Version = c.To, c.Version+1
		nl.Supplier, nl.Rule, nl.Tier, nl.Explain = *c.Supplier, *c.Rule, *c.Tier, c.Explain
		nl.IdempotencyKey, nl.Attempts = *c.IdempotencyKey, 0
		routed = append(routed, &nl)
	}
	return p.deliver.Launch(ctx, routed, pre)
}

// decide returns the change that journals the routing decision for one line.
// A change with an empty To means: leave the line as it is for now (ErrWait).
func (p *Pipeline) decide(ctx context.Context, l *store.Line, valid map[*order.Order]error) store.Change {
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
		// Open circuits are seen by the router through the health snapshots.
		d, err = p.opts.Router.Route(ctx, l, l.Tried)
	}
	if errors.Is(err, ErrWait) {
		return store.Change{}
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
