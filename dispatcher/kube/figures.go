package kube

import (
	"context"
	"time"

	"github.com/dropship-operator/dropship-operator/dispatcher/health"
	"github.com/dropship-operator/dropship-operator/dispatcher/order"
	"github.com/dropship-operator/dropship-operator/dispatcher/routing"
)

// Figures is everything one report is computed from, gathered at one instant.
type Figures struct {
	// Now is when the figures were gathered.
	Now time.Time
	// Window is the health window (the policy's adaptive.window); Accepted covers it.
	Window time.Duration
	// Suppliers are the policy's suppliers, by name.
	Suppliers []SupplierFigures
	// Allocation is the routing engine's view of every rule's suppliers.
	Allocation []routing.Allocation
	// Accepted is how many lines each supplier accepted within Window.
	Accepted map[string]int64
	// Counts is the journal's lines per state.
	Counts map[order.State]int64
	// Source holds the poll figures of an ERP source; nil when the source is not polled
	// (webhook intake) or has not been polled yet.
	Source *SourceFigures
}

// SupplierFigures is one supplier's snapshot and Healthy verdict.
type SupplierFigures struct {
	Snapshot health.Snapshot
	Verdict  health.Condition
}

// SourceFigures are the ERP poller's figures.
type SourceFigures struct {
	LastPollTime   time.Time
	Watermark      string
	OrdersReceived int64
}

// Source gathers the figures of one report.
type Source interface {
	Gather(ctx context.Context) (*Figures, error)
}

// SourceFunc adapts a function to Source.
type SourceFunc func(ctx context.Context) (*Figures, error)

// Gather calls f.
func (f SourceFunc) Gather(ctx context.Context) (*Figures, error) { return f(ctx) }
