package app

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"time"

	"github.com/dropship-operator/dropship-operator/dispatcher/health"
	"github.com/dropship-operator/dropship-operator/dispatcher/pipeline"
	"github.com/dropship-operator/dropship-operator/dispatcher/routing"
	"github.com/dropship-operator/dropship-operator/dispatcher/store"
)

// snapshotTTL is how long one set of health snapshots serves routing decisions: the
// decisions of one batch see the same figures, and taking snapshots stays off the hot path.
const snapshotTTL = 100 * time.Millisecond

// engineRouter adapts routing.Engine to pipeline.Router: it gathers the input (the
// journaled order, the suppliers that refused the line, the health snapshots) and turns
// the decision into the pipeline's terms.
type engineRouter struct {
	engine  *routing.Engine
	tracker *health.Tracker

	mu    sync.Mutex
	snaps map[string]health.Snapshot
	at    time.Time
}

func (r *engineRouter) snapshots(now time.Time) map[string]health.Snapshot {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.snaps == nil || now.Sub(r.at) > snapshotTTL {
		r.snaps, r.at = r.tracker.Snapshots(), now
	}
	return r.snaps
}

// waitReasons are exclusions that pass with time (circuits close, ejections and quotas
// end): a line with no other candidate waits instead of being dead-lettered.
var waitReasons = map[routing.Reason]bool{
	routing.CircuitOpen: true, routing.Ejected: true, routing.QuotaExhausted: true,
	routing.HourlyQuotaFull: true, routing.AfterCutoff: true,
}

func (r *engineRouter) Route(_ context.Context, l *store.Line, exclude []string) (pipeline.Decision, error) {
	now := time.Now()
	d := r.engine.Decide(routing.Input{Order: l.Order, Line: l.Index, Tried: exclude, Health: r.snapshots(now), Now: now})
	explain, err := json.Marshal(d.Explain)
	if err != nil {
		return pipeline.Decision{}, fmt.Errorf("cannot encode routing explanation: %w", err)
	}
	out := pipeline.Decision{Supplier: d.Supplier, Rule: d.Rule, Tier: d.Tier, Explain: explain}
	if d.Routed {
		return out, nil
	}
	if d.Unroutable == routing.NoEligibleSupplier {
		for _, c := range d.Explain.Candidates {
			if waitReasons[c.Excluded] {
				return out, fmt.Errorf("%s (%s): %w", d.Unroutable, d.Explain.Message, pipeline.ErrWait)
			}
		}
	}
	return out, fmt.Errorf("%s (%s): %w", d.Unroutable, d.Explain.Message, pipeline.ErrUnroutable)
}
