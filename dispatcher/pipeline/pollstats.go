package pipeline

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/dropship-operator/dropship-operator/dispatcher/store"
)

// PollStats are the ERP poller's figures, which the status reporter writes into the
// OrderSource.
type PollStats struct {
	// LastPollTime is when the last successful poll finished.
	LastPollTime time.Time
	// Watermark is the source's watermark after that poll.
	Watermark string
	// OrdersReceived is how many orders polls took in (an order counts when at least one
	// of its lines was new) since the journal began.
	OrdersReceived int64
}

// ReceivedCursor is the store cursor counting the orders polled from a source.
func ReceivedCursor(source string) string { return "source/" + source + "/ordersReceived" }

// pollStats holds the figures; loaded is set once the durable count was read.
type pollStats struct {
	mu     sync.Mutex
	s      PollStats
	ok     bool
	loaded bool
}

// PollStats returns the poller's figures; ok is false until a poll succeeded in this
// process, and always for sources that are not polled.
func (p *Pipeline) PollStats() (PollStats, bool) {
	p.polls.mu.Lock()
	defer p.polls.mu.Unlock()
	return p.polls.s, p.polls.ok
}

// recordPoll accounts for a successful poll: its time, the watermark after it, and the
// orders it took in, counted durably in the journal (ReceivedCursor) so the figure
// survives restarts.
func (p *Pipeline) recordPoll(ctx context.Context, watermark string, results []store.IntakeResult) error {
	var n int64
	for _, r := range results {
		if len(r.New) > 0 {
			n++
		}
	}
	p.polls.mu.Lock()
	defer p.polls.mu.Unlock()
	name := ReceivedCursor(p.opts.Source)
	if !p.polls.loaded {
		v, err := p.st.Cursor(ctx, name)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("cannot read cursor %q: %w", name, err)
		}
		if v != "" {
			if p.polls.s.OrdersReceived, err = strconv.ParseInt(v, 10, 64); err != nil {
				return fmt.Errorf("cannot read cursor %q: %w", name, err)
			}
		}
		p.polls.loaded = true
	}
	if n > 0 {
		if err := p.st.SetCursor(ctx, name, strconv.FormatInt(p.polls.s.OrdersReceived+n, 10)); err != nil {
			return fmt.Errorf("cannot advance cursor %q: %w", name, err)
		}
		p.polls.s.OrdersReceived += n
	}
	p.polls.s.LastPollTime, p.polls.s.Watermark, p.polls.ok = time.Now(), watermark, true
	return nil
}
