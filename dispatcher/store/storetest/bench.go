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

// Benchmark parameters: the pipeline shape the dispatcher runs.
const (
	// benchWorkers goroutines work at once, as the dispatcher's intake and delivery do.
	benchWorkers = 16
	// benchBatch orders are taken in by each worker before it applies their transitions
	// in batches of that size.
	benchBatch = 32
)

// Benchmark runs the store benchmarks against the backend open opens:
//
//   - Pipeline: one op is one single-line order taken in and moved through three
//     transitions (Received → Routed → Submitted → Accepted, with the fields the
//     dispatcher writes), by benchWorkers goroutines, each Intake on its own and each
//     transition step as one Apply batch of benchBatch changes. It reports orders/s.
//   - Claim: one op is one line claimed, by benchWorkers goroutines claiming up to 64
//     lines at a time from a journal holding b.N due lines. It reports lines/s.
func Benchmark(b *testing.B, open BenchOpener) {
	b.Run("Pipeline", func(b *testing.B) { benchPipeline(b, open(b)) })
	b.Run("Claim", func(b *testing.B) { benchClaim(b, open(b)) })
}

func benchPipeline(b *testing.B, s store.Store) {
	ctx := context.Background()
	var next atomic.Int64
	b.ResetTimer()
	start := time.Now()
	var wg sync.WaitGroup
	for w := range benchWorkers {
		wg.Go(func() {
			for {
				n := int(next.Add(benchBatch)) - benchBatch
				if n >= b.N {
					return
				}
				count := min(benchBatch, b.N-n)
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
}

func pipelineBatch(ctx context.Context, s store.Store, worker, first, count int) error {
	lines := make([]string, count)
	for i := range count {
		o := Order("bench", fmt.Sprintf("SO-%09d", first+i), 1)
		res, err := s.Intake(ctx, o)
		if err != nil {
			return err
		}
		if len(res.New) != 1 {
			return fmt.Errorf("intake of %s: %+v, want one new line", o.BillNo, res)
		}
		lines[i] = res.New[0]
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
	start := time.Now()
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
}
