package reliability

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/dropship-operator/dropship-operator/dispatcher/app/apptest"
	"github.com/dropship-operator/dropship-operator/dispatcher/config"
	"github.com/dropship-operator/dropship-operator/dispatcher/order"
	"github.com/dropship-operator/dropship-operator/dispatcher/supplier/suppliertest"
)

func postAll(t *testing.T, c *apptest.Client, orders []*order.Order) {
	t.Helper()
	for i := 0; i < len(orders); i += 50 {
		status, body, err := c.Post(context.Background(), orders[i:min(i+50, len(orders))])
		if err != nil || status != http.StatusAccepted {
			t.Fatalf("intake: %d %v %s", status, err, body)
		}
	}
}

// TestFaults runs orders through suppliers that fail 30% of calls with 503, throttle 10%
// with 429 and a Retry-After, and hang 5% past the attempt timeout after having taken the
// order: every line ends accepted or dead-lettered with a reason, and none is duplicated.
func TestFaults(t *testing.T) {
	n := 1000
	if full() {
		n = 5000
	}
	env, err := apptest.New(apptest.Options{
		Dir:     t.TempDir(),
		Weights: []int32{1, 1, 1},
		Profile: suppliertest.Profile{ErrorRate: 0.3, ErrorStatus: 503, ThrottleRate: 0.1, RetryAfter: time.Second,
			TimeoutRate: 0.05, TimeoutAfterAccept: true, ShipDelay: -1},
		Delivery: config.Delivery{Timeout: config.D(300 * time.Millisecond), RetryAfterMax: config.D(300 * time.Millisecond),
			Retry: config.Retry{Attempts: 10, Initial: config.D(20 * time.Millisecond), Max: config.D(200 * time.Millisecond)}},
		Adaptive: config.Adaptive{Enabled: true, BaseEjectionTime: config.D(200 * time.Millisecond), MaxEjectionTime: config.D(time.Second)},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer env.Close()
	env.Config.Server.Listen = freePort(t)
	if err := env.WriteConfig(); err != nil {
		t.Fatal(err)
	}
	p := startDispatcher(t, env, 5*time.Second)
	c := apptest.NewClient(env.Config.Server.Listen)
	postAll(t, c, apptest.Orders("FAULT", 0, n))
	final := waitSettled(t, c, int64(n), 2*time.Minute)
	t.Logf("settled: %v", final)
	p.stop(t)

	var acceptedHere, dead uint64
	for _, l := range journal(t, env.Config.Store.Path) {
		switch l.State {
		case order.StateAccepted:
			acceptedHere++
		case order.StateDeadLettered:
			dead++
			if l.Reason == "" {
				t.Errorf("line %s dead-lettered without a reason", l.ID)
			}
		default:
			t.Errorf("line %s ended in %s", l.ID, l.State)
		}
	}
	var accepted, dups, errs, throttled, timeouts uint64
	for _, s := range env.Fleet.Stats() {
		accepted, dups = accepted+s.Accepted, dups+s.Duplicates
		errs, throttled, timeouts = errs+s.InjectedErrors, throttled+s.Throttled, timeouts+s.Timeouts
	}
	t.Logf("accepted %d, dead-lettered %d; suppliers injected %d errors, %d 429s, %d timeouts", acceptedHere, dead, errs, throttled, timeouts)
	if errs == 0 || throttled == 0 || timeouts == 0 {
		t.Errorf("the fault profile did not bite: %d errors, %d 429s, %d timeouts", errs, throttled, timeouts)
	}
	if dups != 0 {
		t.Errorf("suppliers saw %d duplicate lines", dups)
	}
	// A supplier may hold an order the dispatcher gave up on (it hung after accepting,
	// every attempt): that is only possible for dead-lettered lines.
	if accepted < acceptedHere || accepted > acceptedHere+dead {
		t.Errorf("suppliers accepted %d orders, the journal %d (+%d dead letters)", accepted, acceptedHere, dead)
	}
}

// TestOutageEjectsAndRecovers takes one of three suppliers fully down while orders flow:
// it is ejected and the other two take its share; once it recovers, the lines that were
// waiting for it are delivered to it and it takes its share of new orders again.
func TestOutageEjectsAndRecovers(t *testing.T) {
	env, err := apptest.New(apptest.Options{
		Dir:     t.TempDir(),
		Weights: []int32{1, 1, 1},
		Profile: suppliertest.Profile{ShipDelay: -1},
		Delivery: config.Delivery{Timeout: config.D(500 * time.Millisecond),
			Retry: config.Retry{Attempts: 50, Initial: config.D(20 * time.Millisecond), Max: config.D(200 * time.Millisecond)}},
		// A short health window so the outage's failures age out within the test.
		Adaptive: config.Adaptive{Enabled: true, Window: config.D(3 * time.Second), ConsecutiveFailures: 3, BaseEjectionTime: config.D(time.Second),
			MaxEjectionTime: config.D(2 * time.Second), MaxEjectionPercent: 50},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer env.Close()
	env.Config.Server.Listen = freePort(t)
	if err := env.WriteConfig(); err != nil {
		t.Fatal(err)
	}
	p := startDispatcher(t, env, 5*time.Second)
	defer p.stop(t)
	c := apptest.NewClient(env.Config.Server.Listen)
	down := env.Fleet.Servers[0]
	if err := down.SetPreset(suppliertest.PresetFailing); err != nil {
		t.Fatal(err)
	}

	// Phase A: supplier 0 is down. Orders trickle in; after a few failures it is ejected
	// and the others take the new orders: without ejection they would take two thirds, with
	// it all but the lines routed to supplier 0 before each ejection (an ejection ends after
	// 1–2 s and the supplier is tried again, Envoy-style, until it fails anew).
	const phase = 600
	orders := apptest.Orders("OUT", 0, 2*phase)
	for i := 0; i < phase; i += 30 {
		postAll(t, c, orders[i:i+30])
		time.Sleep(50 * time.Millisecond)
	}
	deadline := time.Now().Add(30 * time.Second)
	others := func() uint64 {
		return env.Fleet.Servers[1].Stats().Accepted + env.Fleet.Servers[2].Stats().Accepted
	}
	// Wait until the others are done: their count stays put for a second.
	for last, since := others(), time.Now(); time.Since(since) < time.Second && time.Now().Before(deadline); {
		time.Sleep(100 * time.Millisecond)
		if n := others(); n != last {
			last, since = n, time.Now()
		}
	}
	stuck := uint64(phase) - others()
	t.Logf("while supplier 0 was down: others accepted %d of %d; %d calls reached it", others(), phase, down.Stats().Requests)
	if others() < phase*90/100 {
		t.Fatalf("the healthy suppliers took %d of %d orders while supplier 0 was down: its share did not move", others(), phase)
	}
	if down.Stats().Accepted != 0 {
		t.Fatalf("a failing supplier accepted orders")
	}

	// Recovery: the lines that were routed to supplier 0 before its ejection are still
	// its own (same idempotency key) and reach it when it is back.
	if err := down.SetPreset(suppliertest.PresetHealthy); err != nil {
		t.Fatal(err)
	}
	deadline = time.Now().Add(30 * time.Second)
	for down.Stats().Accepted < stuck && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
	}
	if got := down.Stats().Accepted; got != stuck {
		t.Fatalf("after recovery supplier 0 accepted %d of the %d lines waiting for it", got, stuck)
	}
	time.Sleep(3500 * time.Millisecond) // the ejection ends and the failures leave the health window
	before := down.Stats().Accepted
	for i := phase; i < 2*phase; i += 30 {
		postAll(t, c, orders[i:i+30])
		time.Sleep(20 * time.Millisecond)
	}
	waitSettled(t, c, 2*phase, time.Minute)
	share := float64(down.Stats().Accepted-before) / phase
	t.Logf("after recovery supplier 0 took %.0f%% of new orders", share*100)
	if share < 0.2 {
		t.Errorf("after recovery supplier 0 took %.0f%% of new orders, want about a third", share*100)
	}
	var dups uint64
	for _, s := range env.Fleet.Stats() {
		dups += s.Duplicates
	}
	if dups != 0 {
		t.Errorf("suppliers saw %d duplicate lines", dups)
	}
}
