package delivery

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/dropship-operator/dropship-operator/dispatcher/order"
	"github.com/dropship-operator/dropship-operator/dispatcher/store"
)

// ErrNotDeadLettered: Replay was asked for a line that is not dead-lettered.
var ErrNotDeadLettered = errors.New("line is not dead-lettered")

// DeadLetters lists and replays dead-lettered lines.
type DeadLetters struct {
	Store store.Store
}

// List returns up to limit dead letters with ids after the cursor, ordered by id.
func (d DeadLetters) List(ctx context.Context, after string, limit int) ([]*store.Line, error) {
	lines, err := d.Store.List(ctx, store.Filter{States: []order.State{order.StateDeadLettered}, After: after, Limit: limit})
	if err != nil {
		return nil, fmt.Errorf("cannot list dead letters after %q: %w", after, err)
	}
	return lines, nil
}

// Replay moves a dead letter back to Received with its attempts reset, so the pipeline
// routes and delivers it again. A line that had been sent to a supplier keeps its
// supplier and idempotency key when it is routed again (see the package doc), so a
// replay never makes a second supplier ship what the first may have accepted.
func (d DeadLetters) Replay(ctx context.Context, id string) (*store.Line, error) {
	l, err := d.Store.Get(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("cannot replay dead letter %q: %w", id, err)
	}
	if l.State != order.StateDeadLettered {
		return nil, fmt.Errorf("cannot replay line %q in state %s: %w", id, l.State, ErrNotDeadLettered)
	}
	c := store.Change{ID: l.ID, From: l.State, Version: l.Version, To: order.StateReceived,
		Attempts: ptr(0), NextAttemptAt: ptr(time.Time{}), Reason: ptr(""), ReleaseLease: true}
	errs, err := d.Store.Apply(ctx, []store.Change{c})
	if err == nil {
		err = errs[0]
	}
	if err != nil {
		return nil, fmt.Errorf("cannot replay dead letter %q: %w", id, err)
	}
	return d.Store.Get(ctx, id)
}
