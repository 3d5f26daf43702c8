package pipeline_test

import (
	"context"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/go-logr/logr/testr"

	"github.com/dropship-operator/dropship-operator/dispatcher/app/apptest"
	"github.com/dropship-operator/dropship-operator/dispatcher/order"
	"github.com/dropship-operator/dropship-operator/dispatcher/pipeline"
	"github.com/dropship-operator/dropship-operator/dispatcher/store"
	"github.com/dropship-operator/dropship-operator/dispatcher/store/sqlite"
)

// batchRecorder records the size of every purchase-order write-back batch.
type batchRecorder struct {
	mu    sync.Mutex
	sizes []int
}

func (r *batchRecorder) RecordPurchaseOrders(_ context.Context, lines []*store.Line) (map[string]string, error) {
	r.mu.Lock()
	r.sizes = append(r.sizes, len(lines))
	r.mu.Unlock()
	out := map[string]string{}
	for _, l := range lines {
		out[l.ID] = "PO-" + l.BillNo
	}
	return out, nil
}

// TestWriteBackBatchFollowsConfig: a backlog of accepted lines is written back to the ERP in
// batches of RecordBatch lines (purchaseOrders.batchSize), not of the pipeline's claim size —
// fewer, larger ERP calls when the backlog allows it.
func TestWriteBackBatchFollowsConfig(t *testing.T) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "j.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	const n = 1200
	if _, err := st.IntakeBatch(ctx, apptest.Orders("BATCH", 0, n)); err != nil {
		t.Fatal(err)
	}
	lines, err := st.List(ctx, store.Filter{Limit: n})
	if err != nil || len(lines) != n {
		t.Fatalf("listed %d lines, err %v", len(lines), err)
	}
	sup := "sup"
	for _, to := range []order.State{order.StateRouted, order.StateSubmitted, order.StateAccepted} {
		changes := make([]store.Change, len(lines))
		for i, l := range lines {
			changes[i] = store.Change{ID: l.ID, From: l.State, Version: l.Version, To: to, Supplier: &sup}
			l.State, l.Version = to, l.Version+1
		}
		if errs, err := st.Apply(ctx, changes); err != nil || slices.ContainsFunc(errs, func(e error) bool { return e != nil }) {
			t.Fatalf("cannot move lines to %s: %v %v", to, err, errs)
		}
	}

	rec := &batchRecorder{}
	p, err := pipeline.New(st, pipeline.Options{Owner: "t", Source: "intake", Lease: 5 * time.Second,
		Router: pipeline.RouterFunc(func(context.Context, *store.Line, []string) (pipeline.Decision, error) {
			return pipeline.Decision{}, pipeline.ErrWait
		}),
		Recorder: rec, RecordBatch: 500}, testr.New(t))
	if err != nil {
		t.Fatal(err)
	}
	rctx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- p.Run(rctx) }()
	waitCount(t, p, order.StateRecorded, n)
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	rec.mu.Lock()
	defer rec.mu.Unlock()
	if len(rec.sizes) != 3 || slices.Max(rec.sizes) != 500 {
		t.Errorf("write-back batches %v, want three batches of at most 500 (500, 500, 200)", rec.sizes)
	}
}
