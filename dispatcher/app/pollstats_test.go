package app_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/go-logr/logr/testr"

	"github.com/dropship-operator/dropship-operator/dispatcher/app"
	"github.com/dropship-operator/dropship-operator/dispatcher/app/apptest"
	"github.com/dropship-operator/dropship-operator/dispatcher/config"
	"github.com/dropship-operator/dropship-operator/dispatcher/k3cloud/k3cloudtest"
	"github.com/dropship-operator/dropship-operator/dispatcher/pipeline"
)

// TestPollStatsSurviveRestart polls the K3Cloud simulator, checks the figures the
// OrderSource's status is written from, and that a restarted dispatcher keeps counting
// from the journal instead of starting at zero.
func TestPollStatsSurviveRestart(t *testing.T) {
	erp := k3cloudtest.NewServer(k3cloudtest.Options{})
	url, err := erp.Start()
	if err != nil {
		t.Fatal(err)
	}
	defer erp.Close()
	seed := func(n int, start time.Time) {
		t.Helper()
		if _, err := erp.SeedSalesOrders(k3cloudtest.SeedOptions{Orders: n, Seed: uint64(start.UnixNano()), Span: time.Minute, Start: start}); err != nil {
			t.Fatal(err)
		}
	}
	seed(6, time.Now().Add(-2*time.Hour))
	dir := t.TempDir()
	env, err := apptest.New(apptest.Options{Dir: dir, Delivery: fastDelivery()})
	if err != nil {
		t.Fatal(err)
	}
	defer env.Close()
	creds := filepath.Join(dir, "erp")
	if err := os.MkdirAll(creds, 0o700); err != nil {
		t.Fatal(err)
	}
	for k, v := range map[string]string{config.SecretKeyUsername: k3cloudtest.DefaultUsername,
		config.SecretKeyAppID: k3cloudtest.DefaultAppID, config.SecretKeyAppSecret: k3cloudtest.DefaultAppSecret} {
		if err := os.WriteFile(filepath.Join(creds, k), []byte(v), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	cfg := env.Config
	cfg.Source = config.Source{Name: "kingdee", K3Cloud: &config.K3CloudSource{
		K3CloudConnection: config.K3CloudConnection{URL: url, AcctID: k3cloudtest.DefaultAcctID,
			Auth: config.K3CloudAuth{Mode: config.K3CloudAuthAppSecret, CredentialsDir: creds}, RatePerSecond: 1000},
		SalesOrders: config.SalesOrderQuery{Filter: "F_DropShip = 1", PollInterval: config.D(100 * time.Millisecond)},
	}}
	cfg.Default()
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	run := func(want int64) pipeline.PollStats {
		t.Helper()
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		d, err := app.New(ctx, cfg, app.Options{Owner: "test", Listen: "127.0.0.1:0", Log: testr.New(t)})
		if err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() { done <- d.Run(ctx) }()
		defer func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("dispatcher stopped with an error: %v", err)
			}
		}()
		deadline := time.Now().Add(20 * time.Second)
		for {
			s, ok := d.Pipeline().PollStats()
			if ok && s.OrdersReceived == want {
				return s
			}
			if time.Now().After(deadline) {
				t.Fatalf("poll stats %+v (ok=%v), want %d orders received", s, ok, want)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	first := run(6)
	if first.Watermark == "" || time.Since(first.LastPollTime) > 10*time.Second {
		t.Errorf("after the first run: %+v, want a watermark and a recent poll", first)
	}
	seed(4, time.Now().Add(-time.Hour))
	second := run(10)
	if second.Watermark <= first.Watermark {
		t.Errorf("watermark %q did not move past %q", second.Watermark, first.Watermark)
	}
}
