package pipeline_test

import (
	"context"
	"fmt"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-logr/logr/testr"

	"github.com/dropship-operator/dropship-operator/dispatcher/app/apptest"
	"github.com/dropship-operator/dropship-operator/dispatcher/config"
	"github.com/dropship-operator/dropship-operator/dispatcher/delivery"
	"github.com/dropship-operator/dropship-operator/dispatcher/order"
	"github.com/dropship-operator/dropship-operator/dispatcher/pipeline"
	"github.com/dropship-operator/dropship-operator/dispatcher/store"
	"github.com/dropship-operator/dropship-operator/dispatcher/store/sqlite"
	"github.com/dropship-operator/dropship-operator/dispatcher/supplier"
	"github.com/dropship-operator/dropship-operator/dispatcher/supplier/suppliertest"
)

// runPipeline runs a pipeline over a fresh SQLite journal and one simulated supplier "sup".
func runPipeline(t *testing.T, router pipeline.Router) (*pipeline.Pipeline, *suppliertest.Server) {
	t.Helper()
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "j.db"))
	if err != nil {
		t.Fatal(err)
	}
	sim := suppliertest.Start(t, suppliertest.Options{Name: "sup", Profile: suppliertest.Profile{ShipDelay: -1}})
	ad, err := supplier.NewHTTP(config.Supplier{Name: "sup", HTTP: &config.HTTPEndpoint{URL: sim.OrdersURL()}}, supplier.HTTPOptions{})
	if err != nil {
		t.Fatal(err)
	}
	p, err := pipeline.New(st, pipeline.Options{Owner: "t", Source: "intake", Router: router, Lease: 300 * time.Millisecond,
		Suppliers: []delivery.Supplier{{Name: "sup", Adapter: ad}}}, testr.New(t))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- p.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Error(err)
		}
		st.Close()
	})
	return p, sim
}

func waitCount(t *testing.T, p *pipeline.Pipeline, s order.State, n int64) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := p.Store().Counts(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if c[s] == n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("not %d lines %s: %v", n, s, c)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestWaitThenRoute: while the router says no supplier is available now (ErrWait), lines
// stay Received and nothing is sent; once it routes again they are delivered.
func TestWaitThenRoute(t *testing.T) {
	var open atomic.Bool
	router := pipeline.RouterFunc(func(_ context.Context, l *store.Line, _ []string) (pipeline.Decision, error) {
		if !open.Load() {
			return pipeline.Decision{}, fmt.Errorf("circuit open: %w", pipeline.ErrWait)
		}
		return pipeline.Decision{Supplier: "sup", Rule: "r", Explain: []byte(`{"chosen":"sup"}`)}, nil
	})
	p, sim := runPipeline(t, router)
	if _, err := p.Intake(context.Background(), apptest.Orders("W", 0, 10)); err != nil {
		t.Fatal(err)
	}
	time.Sleep(300 * time.Millisecond)
	if c, _ := p.Store().Counts(context.Background()); c[order.StateReceived] != 10 || sim.Stats().Requests != 0 {
		t.Fatalf("while waiting: counts %v, %d requests; want 10 Received and none sent", c, sim.Stats().Requests)
	}
	open.Store(true)
	waitCount(t, p, order.StateAccepted, 10)
	l, err := p.Store().Get(context.Background(), "intake/W-3/1")
	if err != nil {
		t.Fatal(err)
	}
	if string(l.Explain) != `{"chosen":"sup"}` || l.Rule != "r" || l.IdempotencyKey != order.IdempotencyKey("intake", "W-3", "1", "sup") {
		t.Errorf("routing decision not journaled with the line: %+v", l)
	}
}

// TestUnroutableIsDeadLettered: ErrUnroutable dead-letters the line with the reason and
// the explanation.
func TestUnroutableIsDeadLettered(t *testing.T) {
	router := pipeline.RouterFunc(func(context.Context, *store.Line, []string) (pipeline.Decision, error) {
		return pipeline.Decision{Explain: []byte(`{"unroutable":"NoRuleMatched"}`)}, fmt.Errorf("no rule: %w", pipeline.ErrUnroutable)
	})
	p, sim := runPipeline(t, router)
	if _, err := p.Intake(context.Background(), apptest.Orders("U", 0, 3)); err != nil {
		t.Fatal(err)
	}
	waitCount(t, p, order.StateDeadLettered, 3)
	l, err := p.Store().Get(context.Background(), "intake/U-0/1")
	if err != nil {
		t.Fatal(err)
	}
	if l.Reason == "" || string(l.Explain) != `{"unroutable":"NoRuleMatched"}` {
		t.Errorf("dead letter lacks reason or explain: reason %q explain %s", l.Reason, l.Explain)
	}
	if sim.Stats().Requests != 0 {
		t.Errorf("an unroutable line was sent")
	}
}

func TestCallbackURL(t *testing.T) {
	if got := pipeline.CallbackURL("https://d.example/", "sup-a"); got != "https://d.example/v1/suppliers/sup-a/shipments" {
		t.Errorf("CallbackURL = %q", got)
	}
}
