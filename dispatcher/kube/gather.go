package kube

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/dropship-operator/dropship-operator/dispatcher/config"
	"github.com/dropship-operator/dropship-operator/dispatcher/health"
	"github.com/dropship-operator/dropship-operator/dispatcher/routing"
	"github.com/dropship-operator/dropship-operator/dispatcher/store"
)

// defaultWindow is the health window when the policy's adaptive.window is unset.
const defaultWindow = 5 * time.Minute

// Gatherer is the Source of a running dispatcher: its health tracker, routing engine and
// journal.
type Gatherer struct {
	Tracker *health.Tracker
	Engine  *routing.Engine
	Store   store.Store
	// Adaptive judges the Healthy verdicts and sets the window.
	Adaptive config.Adaptive
	// Suppliers are the policy's suppliers, reported even before they saw traffic.
	Suppliers []string
	// Poll returns the ERP poller's figures; nil (or a nil func) when the source is not
	// polled.
	Poll func() *SourceFigures
	// Now is the clock; time.Now when nil.
	Now func() time.Time
}

// Gather reads the figures of one report.
func (g *Gatherer) Gather(ctx context.Context) (*Figures, error) {
	now := time.Now()
	if g.Now != nil {
		now = g.Now()
	}
	window := g.Adaptive.Window.Duration
	if window <= 0 {
		window = defaultWindow
	}
	snaps := g.Tracker.Snapshots()
	names := slices.Clone(g.Suppliers)
	slices.Sort(names)
	f := &Figures{Now: now, Window: window}
	for _, n := range names {
		s, ok := snaps[n]
		if !ok {
			s = g.Tracker.Snapshot(n)
			snaps[n] = s
		}
		f.Suppliers = append(f.Suppliers, SupplierFigures{Snapshot: s, Verdict: health.Healthy(s, g.Adaptive)})
	}
	f.Allocation = g.Engine.Allocation(snaps, now)
	var err error
	if f.Accepted, err = g.Store.AcceptedSince(ctx, now.Add(-window)); err != nil {
		return nil, fmt.Errorf("cannot count accepted lines: %w", err)
	}
	if f.Counts, err = g.Store.Counts(ctx); err != nil {
		return nil, fmt.Errorf("cannot count lines: %w", err)
	}
	if g.Poll != nil {
		f.Source = g.Poll()
	}
	return f, nil
}
