package storetest

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dropship-operator/dropship-operator/dispatcher/order"
	"github.com/dropship-operator/dropship-operator/dispatcher/store"
)

// BenchOpener opens a backend over fresh storage for one benchmark.
type BenchOpener func(b *testing.B) store.Store

// benchWorkers goroutines claim at once in the Claim benchmark.
const benchWorkers = 16

// Benchmark runs the store benchmarks against the backend open opens:
//
//   - Pipeline/batch=B/workers=W: one op is one single-line order taken in and moved
//     through three transitions (Received → Routed → Submitted → Accepted, with the
//     fields the dispatcher writes). W goroutines each take B orders in with one
//     IntakeBatch (Intake when B is 1), then apply each transition step to them as one
//     Apply of B changes. B=1 with many workers is a dispatcher that writes line by line
//     and relies on the store to gather concurrent calls; B=32 is one that batches.
//     It reports orders/s, and the process's CPU time per op (cpu-ns/op), which other
//     load on a shared machine disturbs far less than wall time.
//   - Claim: one op is one line claimed, by benchWorkers goroutines claiming up to 64
//     lines at a time from a journal holding b.N due lines. It reports lines/s and
//     cpu-ns/op.
func Benchmark(b *testing.B, open BenchOpener) {
	for _, shape := range []struct{ batch, workers int }{{32, 16}, {1, 128}, {256, 8}} {
		b.Run(fmt.Sprintf("Pipeline/batch=%d/workers=%d", shape.batch, shape.workers), func(b *testing.B) {
			benchPipeline(b, open(b), shape.batch, shape.workers)
		})
	}
	b.Run("Claim", func(b *testing.B) { benchClaim(b, open(b)) })
}

func benchPipeline(b *testing.B, s store.Store, batch, workers int) {
	ctx := context.Background()
	var next atomic.Int64
	b.ResetTimer()
	start, cpu := time.Now(), cpuTime()
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for {
				n := int(next.Add(int64(batch))) - batch
				if n >= b.N {
					return
				}
				count := min(batch, b.N-n)
				if err := pipelineBatch(ctx, s, w, n, count); err != nil {
					b.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	b.StopTimer()
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "orders/s")
	b.ReportMetric(float64(cpuTime()-cpu)/float64(b.N), "cpu-ns/op")
}

func pipelineBatch(ctx context.Context, s store.Store, worker, first, count int) error {
	lines := make([]string, count)
	orders := make([]*order.Order, count)
	for i := range count {
		orders[i] = Order("bench", fmt.Sprintf("SO-%09d", first+i), 1)
	}
	if count == 1 {
		res, err := s.Intake(ctx, orders[0])
		if err != nil {
			return err
		}
		lines[0] = res.New[0]
	} else {
		res, err := s.IntakeBatch(ctx, orders)
		if err != nil {
			return err
		}
		for i, r := range res {
			if len(r.New) != 1 {
				return fmt.Errorf("intake of %s: %+v, want one new line", orders[i].BillNo, r)
			}
			lines[i] = r.New[0]
		}
	}
	supplier := fmt.Sprintf("sup-%d", worker%10)
	explain := []byte(`{"rule":"default","strategy":"Weighted","candidates":[{"name":"` + supplier + `","weight":70,"state":"Active"}]}`)
	steps := []func(c *store.Change){
		func(c *store.Change) {
			c.From, c.To = order.StateReceived, order.StateRouted
			c.Supplier, c.Rule, c.Explain = &supplier, ptr("default"), explain
			c.IdempotencyKey = ptr(order.IdempotencyKey("bench", c.ID, "1", supplier))
		},
		func(c *store.Change) { c.From, c.To, c.Attempts = order.StateRouted, order.StateSubmitted, ptr(1) },
		func(c *store.Change) {
			c.From, c.To = order.StateSubmitted, order.StateAccepted
			c.SupplierOrderID, c.ReleaseLease = ptr("S-"+c.ID), true
		},
	}
	for v, step := range steps {
		changes := make([]store.Change, count)
		for i, id := range lines {
			changes[i] = store.Change{ID: id, Version: int64(v + 1)}
			step(&changes[i])
		}
		errs, err := s.Apply(ctx, changes)
		if err != nil {
			return err
		}
		for i, e := range errs {
			if e != nil {
				return fmt.Errorf("change %d: %w", i, e)
			}
		}
	}
	return nil
}

func benchClaim(b *testing.B, s store.Store) {
	ctx := context.Background()
	// Fill the journal with b.N due lines, untimed.
	var next atomic.Int64
	var wg sync.WaitGroup
	for range benchWorkers {
		wg.Go(func() {
			for {
				n := int(next.Add(1)) - 1
				if n >= b.N {
					return
				}
				if _, err := s.Intake(ctx, Order("bench", fmt.Sprintf("SO-%09d", n), 1)); err != nil {
					b.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	now := time.Now()
	var claimed atomic.Int64
	b.ResetTimer()
	start, cpu := time.Now(), cpuTime()
	for w := range benchWorkers {
		wg.Go(func() {
			for {
				got, err := s.Claim(ctx, store.ClaimRequest{Owner: fmt.Sprint("w", w), States: []order.State{order.StateReceived},
					Now: now, Limit: 64, Lease: time.Hour})
				if err != nil {
					b.Error(err)
					return
				}
				if len(got) == 0 {
					return
				}
				claimed.Add(int64(len(got)))
			}
		})
	}
	wg.Wait()
	b.StopTimer()
	if int(claimed.Load()) != b.N {
		b.Errorf("claimed %d lines, want %d", claimed.Load(), b.N)
	}
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "lines/s")
	b.ReportMetric(float64(cpuTime()-cpu)/float64(b.N), "cpu-ns/op")
}
