package pipeline

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/dropship-operator/dropship-operator/dispatcher/order"
	"github.com/dropship-operator/dropship-operator/dispatcher/store"
)

// cancelStates are the states a line is cancelled from when its ERP order is cancelled:
// the line has not reached a supplier (Rejected: the supplier refused it). Lines a
// supplier may hold are left to people: the adapters have no cancel call.
var cancelStates = []order.State{order.StateReceived, order.StateRouted, order.StateRejected, order.StateDeadLettered}

// maxCancelChecks bounds the bills checked in one round.
const maxCancelChecks = 5000

// cancelLoop asks the ERP, every PollInterval, whether the orders of lines not yet sent
// were cancelled, and cancels those lines.
func (p *Pipeline) cancelLoop(ctx context.Context) {
	t := time.NewTicker(p.opts.PollInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if err := p.cancelOnce(ctx); err != nil && ctx.Err() == nil {
			p.log.Error(err, "cannot check ERP cancellations", "source", p.opts.Source)
		}
	}
}

func (p *Pipeline) cancelOnce(ctx context.Context) error {
	byBill := map[string][]*store.Line{}
	var bills []string
	after := ""
	for len(bills) < maxCancelChecks {
		lines, err := p.st.List(ctx, store.Filter{States: cancelStates, After: after, Limit: 1000})
		if err != nil {
			return fmt.Errorf("cannot list lines to check for cancellation: %w", err)
		}
		for _, l := range lines {
			if l.Source != p.opts.Source || (l.State == order.StateDeadLettered && l.Attempts > 0) {
				// A dead letter whose attempts ran out may have reached its supplier (a
				// call that timed out after the supplier took it): not ours to cancel.
				continue
			}
			if _, seen := byBill[l.BillNo]; !seen {
				bills = append(bills, l.BillNo)
			}
			byBill[l.BillNo] = append(byBill[l.BillNo], l)
		}
		if len(lines) < 1000 {
			break
		}
		after = lines[len(lines)-1].ID
	}
	if len(bills) == 0 {
		return nil
	}
	cancelled, err := p.opts.Cancels.Cancelled(ctx, bills)
	if err != nil {
		return err
	}
	var changes []store.Change
	var before []*store.Line
	for bill, why := range cancelled {
		for _, l := range byBill[bill] {
			reason := "the order was " + why + " in the ERP"
			changes = append(changes, store.Change{ID: l.ID, From: l.State, Version: l.Version,
				To: order.StateCancelled, Reason: &reason, ReleaseLease: true})
			before = append(before, l)
		}
	}
	if len(changes) == 0 {
		return nil
	}
	errs, err := p.st.Apply(ctx, changes)
	if err != nil {
		return fmt.Errorf("cannot cancel %d lines: %w", len(changes), err)
	}
	for i, c := range changes {
		if errs[i] != nil {
			if !errors.Is(errs[i], store.ErrConflict) {
				p.log.Error(errs[i], "cannot cancel line", "line", c.ID)
			}
			continue
		}
		p.committed(before[i], c)
		p.log.Info("line cancelled", "line", c.ID, "order", before[i].BillNo, "reason", *c.Reason)
	}
	return nil
}
