package main

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/dropship-operator/dropship-operator/dispatcher/config"
	"github.com/dropship-operator/dropship-operator/dispatcher/k3cloud/k3cloudtest"
)

// k3cloudSim is the `k3cloud:` section: one simulated Kingdee K3Cloud site seeded with
// audited drop-ship sales orders, optionally adding new ones as time passes.
type k3cloudSim struct {
	// Listen is host:port; 127.0.0.1:0 by default.
	Listen string `json:"listen,omitempty"`
	// AcctID and the integration user's credentials; the simulator's defaults when empty.
	AcctID    string `json:"acctID,omitempty"`
	Username  string `json:"username,omitempty"`
	Password  string `json:"password,omitempty"`
	AppID     string `json:"appID,omitempty"`
	AppSecret string `json:"appSecret,omitempty"`
	// Latency is added to every call; CallLimit calls per minute, then MsgCode 14.
	Latency   config.Duration `json:"latency,omitempty"`
	CallLimit int             `json:"callLimit,omitempty"`
	// Suppliers and Materials, when set, are the base-data numbers that exist.
	Suppliers []string `json:"suppliers,omitempty"`
	Materials []string `json:"materials,omitempty"`
	// Seed is the sales orders created at start.
	Seed k3cloudSeed `json:"seed,omitempty"`
	// Trickle adds Orders new audited orders every Every, approved "now", for demos where
	// orders keep arriving.
	Trickle *k3cloudTrickle `json:"trickle,omitempty"`
}

type k3cloudSeed struct {
	Orders           int             `json:"orders,omitempty"`
	Seed             uint64          `json:"seed,omitempty"`
	Span             config.Duration `json:"span,omitempty"`
	MaxLines         int             `json:"maxLines,omitempty"`
	NotDropShipEvery int             `json:"notDropShipEvery,omitempty"`
}

type k3cloudTrickle struct {
	Every  config.Duration `json:"every"`
	Orders int             `json:"orders"`
	// Total stops the trickle once it has added this many orders; 0 never stops.
	Total int `json:"total,omitempty"`
}

func (k *k3cloudSim) validate() error {
	if k.Seed.Orders < 0 || k.Seed.Orders > 1_000_000 {
		return errors.New("k3cloud.seed.orders must be between 0 and 1000000")
	}
	if t := k.Trickle; t != nil && (t.Every.Duration < 10*time.Millisecond || t.Orders < 1 || t.Total < 0) {
		return errors.New("k3cloud.trickle needs every ≥ 10ms, orders ≥ 1 and total ≥ 0")
	}
	return nil
}

// k3cloudSection runs the ERP simulator.
type k3cloudSection struct {
	cfg  k3cloudSim
	srv  *k3cloudtest.Server
	url  string
	stop chan struct{}
	wg   sync.WaitGroup
}

func (k *k3cloudSection) start() error {
	c := k.cfg
	k.srv = k3cloudtest.NewServer(k3cloudtest.Options{
		AcctID: c.AcctID, Username: c.Username, Password: c.Password, AppID: c.AppID, AppSecret: c.AppSecret,
		Latency: c.Latency.Duration, CallLimit: c.CallLimit, Suppliers: c.Suppliers, Materials: c.Materials,
	})
	if c.Seed.Orders > 0 {
		if _, err := k.srv.SeedSalesOrders(k3cloudtest.SeedOptions{Orders: c.Seed.Orders, Seed: c.Seed.Seed,
			Span: c.Seed.Span.Duration, MaxLines: c.Seed.MaxLines, NotDropShipEvery: c.Seed.NotDropShipEvery}); err != nil {
			return fmt.Errorf("cannot seed the K3Cloud simulator: %w", err)
		}
	}
	listen := c.Listen
	if listen == "" {
		listen = "127.0.0.1:0"
	}
	url, err := k.srv.StartOn(listen)
	if err != nil {
		return fmt.Errorf("cannot start the K3Cloud simulator: %w", err)
	}
	k.url = url
	k.stop = make(chan struct{})
	if t := c.Trickle; t != nil {
		k.wg.Add(1)
		go k.trickle(t.Every.Duration, t.Orders, t.Total, c.Seed.Seed+1)
	}
	return nil
}

// trickle adds orders approved during the last tick, every tick, until total (0: forever).
func (k *k3cloudSection) trickle(every time.Duration, n, total int, seed uint64) {
	defer k.wg.Done()
	tick := time.NewTicker(every)
	defer tick.Stop()
	added := 0
	for total == 0 || added < total {
		select {
		case <-k.stop:
			return
		case now := <-tick.C:
			seed++
			batch := n
			if total > 0 {
				batch = min(n, total-added)
			}
			nums, _ := k.srv.SeedSalesOrders(k3cloudtest.SeedOptions{Orders: batch, Seed: seed, Start: now.Add(-every), Span: every,
				MaxLines: k.cfg.Seed.MaxLines})
			added += len(nums)
		}
	}
}

func (k *k3cloudSection) endpoints(r *readyFile) {
	r.K3Cloud = append(r.K3Cloud, endpoint{Name: "k3cloud", URL: k.url, AcctID: k.srv.Options().AcctID})
}

func (k *k3cloudSection) shutdown(ctx context.Context) error {
	close(k.stop)
	k.wg.Wait()
	if err := k.srv.Close(); err != nil {
		return fmt.Errorf("cannot shut down the K3Cloud simulator: %w", err)
	}
	return nil
}
