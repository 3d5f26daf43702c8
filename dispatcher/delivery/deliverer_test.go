package delivery_test

import (
	"context"
	"errors"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-logr/logr/testr"

	"github.com/dropship-operator/dropship-operator/dispatcher/app/apptest"
	"github.com/dropship-operator/dropship-operator/dispatcher/config"
	"github.com/dropship-operator/dropship-operator/dispatcher/delivery"
	"github.com/dropship-operator/dropship-operator/dispatcher/order"
	"github.com/dropship-operator/dropship-operator/dispatcher/store"
	"github.com/dropship-operator/dropship-operator/dispatcher/store/sqlite"
	"github.com/dropship-operator/dropship-operator/dispatcher/supplier"
	"github.com/dropship-operator/dropship-operator/dispatcher/supplier/suppliertest"
)

// env is a journal with n lines routed to the simulated supplier "sup".
type env struct {
	st    store.Store
	sim   *suppliertest.Server
	http  supplier.Adapter
	lines []*store.Line
}

func newEnv(t *testing.T, n int, p suppliertest.Profile) *env {
	t.Helper()
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "j.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	sim := suppliertest.Start(t, suppliertest.Options{Name: "sup", Profile: p})
	ad, err := supplier.NewHTTP(config.Supplier{Name: "sup", HTTP: &config.HTTPEndpoint{URL: sim.OrdersURL()}}, supplier.HTTPOptions{})
	if err != nil {
		t.Fatal(err)
	}
	e := &env{st: st, sim: sim, http: ad}
	orders := apptest.Orders("D", 0, n)
	if _, err := st.IntakeBatch(context.Background(), orders); err != nil {
		t.Fatal(err)
	}
	sup := "sup"
	var cs []store.Change
	for _, o := range orders {
		cs = append(cs, store.Change{ID: o.Ref(0).ID(), From: order.StateReceived, Version: 1, To: order.StateRouted, Supplier: &sup})
	}
	if _, err := st.Apply(context.Background(), cs); err != nil {
		t.Fatal(err)
	}
	for _, o := range orders {
		l, err := st.Get(context.Background(), o.Ref(0).ID())
		if err != nil {
			t.Fatal(err)
		}
		e.lines = append(e.lines, l)
	}
	return e
}

func run(t *testing.T, st store.Store, opts delivery.Options) (*delivery.Deliverer, func()) {
	t.Helper()
	d, err := delivery.New(st, opts, testr.New(t))
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- d.Run(context.Background()) }()
	return d, func() {
		if err := d.Shutdown(context.Background()); err != nil {
			t.Error(err)
		}
		if err := <-done; err != nil {
			t.Error(err)
		}
	}
}

func waitStates(t *testing.T, st store.Store, want order.State, n int) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		c, err := st.Counts(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if c[want] == int64(n) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("not %d lines %s within 20s: %v", n, want, c)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestConcurrencyCapAndIdempotencyKeys(t *testing.T) {
	const n, maxConcurrent = 60, 3
	e := newEnv(t, n, suppliertest.Profile{Latency: 5 * time.Millisecond})
	var inFlight, peak atomic.Int64
	counting := supplier.AdapterFunc(func(ctx context.Context, req supplier.Request) (supplier.Result, error) {
		now := inFlight.Add(1)
		for p := peak.Load(); now > p && !peak.CompareAndSwap(p, now); p = peak.Load() {
		}
		defer inFlight.Add(-1)
		return e.http.Submit(ctx, req)
	})
	d, stop := run(t, e.st, delivery.Options{Owner: "t", Suppliers: []delivery.Supplier{{Name: "sup", Adapter: counting,
		Capacity: config.Capacity{MaxConcurrent: maxConcurrent}}}})
	defer stop()
	if err := d.Launch(context.Background(), e.lines, nil); err != nil {
		t.Fatal(err)
	}
	waitStates(t, e.st, order.StateAccepted, n)
	if p := peak.Load(); p > maxConcurrent || p < 2 {
		t.Errorf("peak concurrency %d, want at most %d (and some parallelism)", p, maxConcurrent)
	}
	for _, l := range e.lines {
		key := order.IdempotencyKey(l.Source, l.BillNo, l.EntryID, "sup")
		if _, ok := e.sim.Lookup(key); !ok {
			t.Errorf("line %s did not reach the supplier under its idempotency key", l.ID)
		}
	}
}

func TestRetriesAreJournaledAndResumedAfterRestart(t *testing.T) {
	e := newEnv(t, 5, suppliertest.Profile{ErrorRate: 1, ErrorStatus: 503})
	opts := delivery.Options{Owner: "t", Lease: time.Second, Suppliers: []delivery.Supplier{{Name: "sup", Adapter: e.http,
		Delivery: config.Delivery{Retry: config.Retry{Attempts: 10, Initial: config.D(300 * time.Millisecond), Max: config.D(300 * time.Millisecond)}}}},
		BreakerThreshold: 1000}
	d, stop := run(t, e.st, opts)
	if err := d.Launch(context.Background(), e.lines, nil); err != nil {
		t.Fatal(err)
	}
	// Wait until every line failed once and has its next attempt journaled.
	deadline := time.Now().Add(10 * time.Second)
	for {
		lines, err := e.st.List(context.Background(), store.Filter{})
		if err != nil {
			t.Fatal(err)
		}
		ok := 0
		for _, l := range lines {
			if l.State == order.StateSubmitted && l.Attempts >= 1 && l.Reason != "" && l.NextAttemptAt.After(time.Now().Add(-time.Second)) {
				ok++
			}
		}
		if ok == len(e.lines) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("retries not journaled: %d of %d lines", ok, len(e.lines))
		}
		time.Sleep(10 * time.Millisecond)
	}
	stop()
	// The supplier recovers; a new deliverer (a restarted dispatcher) resumes the retries
	// from the journal with the same keys.
	if err := e.sim.SetProfile(suppliertest.Profile{}); err != nil {
		t.Fatal(err)
	}
	_, stop2 := run(t, e.st, opts)
	defer stop2()
	waitStates(t, e.st, order.StateAccepted, len(e.lines))
	if s := e.sim.Stats(); s.Accepted != uint64(len(e.lines)) || s.Duplicates != 0 {
		t.Errorf("supplier accepted %d lines with %d duplicates, want %d and 0", s.Accepted, s.Duplicates, len(e.lines))
	}
}

func TestDeadLettersListAndReplay(t *testing.T) {
	e := newEnv(t, 3, suppliertest.Profile{ErrorRate: 1, ErrorStatus: 503})
	opts := delivery.Options{Owner: "t", Suppliers: []delivery.Supplier{{Name: "sup", Adapter: e.http,
		Delivery: config.Delivery{Retry: config.Retry{Attempts: 2, Initial: config.D(10 * time.Millisecond), Max: config.D(10 * time.Millisecond)}}}},
		BreakerThreshold: 1000}
	d, stop := run(t, e.st, opts)
	defer stop()
	if err := d.Launch(context.Background(), e.lines, nil); err != nil {
		t.Fatal(err)
	}
	waitStates(t, e.st, order.StateDeadLettered, 3)
	dl := delivery.DeadLetters{Store: e.st}
	page, err := dl.List(context.Background(), "", 2)
	if err != nil || len(page) != 2 {
		t.Fatalf("first page: %d dead letters, err %v", len(page), err)
	}
	rest, err := dl.List(context.Background(), page[1].ID, 2)
	if err != nil || len(rest) != 1 {
		t.Fatalf("second page: %d dead letters, err %v", len(rest), err)
	}
	if page[0].LastResponse == "" || page[0].Attempts != 2 {
		t.Errorf("dead letter without last response or attempts: %+v", page[0])
	}
	l, err := dl.Replay(context.Background(), page[0].ID)
	if err != nil || l.State != order.StateReceived || l.Attempts != 0 || l.Reason != "" || l.Supplier != "sup" {
		t.Fatalf("replay: %+v, %v", l, err)
	}
	if _, err := dl.Replay(context.Background(), page[0].ID); !errors.Is(err, delivery.ErrNotDeadLettered) {
		t.Errorf("replaying a line that is not dead-lettered: %v, want ErrNotDeadLettered", err)
	}
	if _, err := dl.Replay(context.Background(), "no/such/line"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("replaying an unknown line: %v, want ErrNotFound", err)
	}
}
