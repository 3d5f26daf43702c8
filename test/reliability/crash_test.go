package reliability

import (
	"context"
	"math/rand/v2"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dropship-operator/dropship-operator/dispatcher/app/apptest"
	"github.com/dropship-operator/dropship-operator/dispatcher/config"
	"github.com/dropship-operator/dropship-operator/dispatcher/order"
	"github.com/dropship-operator/dropship-operator/dispatcher/supplier/suppliertest"
)

// TestCrashSafety kills the dispatcher with SIGKILL at random points while orders flow and
// restarts it: every order must end accepted or dead-lettered, and no supplier may see a
// line twice (replays of the same idempotency key are fine: that is the key at work).
func TestCrashSafety(t *testing.T) {
	n, kills := 2000, 3
	if full() {
		n, kills = 20000, 5
	}
	env, err := apptest.New(apptest.Options{
		Dir:     t.TempDir(),
		Weights: []int32{3, 2, 1, 1},
		Profile: suppliertest.Profile{Latency: time.Millisecond, Jitter: 4 * time.Millisecond, ShipDelay: 300 * time.Millisecond},
		Delivery: config.Delivery{Timeout: config.D(2 * time.Second),
			Retry: config.Retry{Attempts: 8, Initial: config.D(50 * time.Millisecond), Max: config.D(500 * time.Millisecond)}},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer env.Close()
	env.Config.Server.Listen = freePort(t)
	if err := env.WriteConfig(); err != nil {
		t.Fatal(err)
	}
	const lease = 2 * time.Second
	p := startDispatcher(t, env, lease)
	c := apptest.NewClient(env.Config.Server.Listen)
	c.HTTP.Timeout = 5 * time.Second

	// The feeder posts batches of 20, paced so that feeding spans every kill; a batch that
	// fails (the dispatcher is down) is posted again until it is accepted: intake is
	// idempotent, so a batch journaled just before a kill is deduplicated.
	const batch = 20
	orders := apptest.Orders("CRASH", 0, n)
	feedFor := time.Duration(kills) * 1500 * time.Millisecond
	pace := feedFor / time.Duration(n/batch)
	var posted atomic.Int64
	fed := make(chan struct{})
	go func() {
		defer close(fed)
		for i := 0; i < n; i += batch {
			for {
				status, _, err := c.Post(context.Background(), orders[i:min(i+batch, n)])
				if err == nil && status == http.StatusAccepted {
					break
				}
				time.Sleep(50 * time.Millisecond)
			}
			posted.Add(int64(min(batch, n-i)))
			time.Sleep(pace)
		}
	}()

	// Kills are spread over the feeding (about 1,000 orders/s get in with restarts):
	// each after a random 0.5–1.5 × n/kills milliseconds.
	gap := time.Duration(n/kills) * time.Millisecond
	for k := 0; k < kills; k++ {
		time.Sleep(gap/2 + time.Duration(rand.Int64N(int64(gap))))
		t.Logf("kill %d/%d after %d orders posted", k+1, kills, posted.Load())
		p.kill()
		p = startDispatcher(t, env, lease)
	}
	<-fed
	final := waitSettled(t, c, int64(n), 3*time.Minute)
	t.Logf("settled: %v", final)
	p.stop(t)

	lines := journal(t, env.Config.Store.Path)
	if len(lines) != n {
		t.Fatalf("journal holds %d lines, want %d", len(lines), n)
	}
	var acceptedHere uint64
	for _, l := range lines {
		switch l.State {
		case order.StateAccepted, order.StateRecorded, order.StateShipped, order.StateClosed:
			acceptedHere++
		case order.StateDeadLettered:
			if l.Reason == "" {
				t.Errorf("line %s dead-lettered without a reason", l.ID)
			}
		default:
			t.Errorf("line %s ended in %s", l.ID, l.State)
		}
	}
	var accepted, dups, replays uint64
	for _, s := range env.Fleet.Stats() {
		accepted += s.Accepted
		dups += s.Duplicates
		replays += s.Replays
	}
	t.Logf("%d lines accepted, %d supplier replays of an idempotency key, %d duplicates", acceptedHere, replays, dups)
	if dups != 0 {
		t.Errorf("suppliers saw %d duplicate lines", dups)
	}
	if accepted != acceptedHere {
		t.Errorf("suppliers accepted %d orders, the journal %d: a line reached two suppliers or was lost", accepted, acceptedHere)
	}
}
