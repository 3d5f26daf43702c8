// Package app wires a whole dispatcher from a DispatcherConfig: the journal, the supplier
// adapters, the health tracker, the router, the pipeline and the HTTP server. cmd/dispatcher
// is a thin main around it, and tests start it in-process the same way.
package app

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/go-logr/logr"

	"github.com/dropship-operator/dropship-operator/dispatcher/config"
	"github.com/dropship-operator/dropship-operator/dispatcher/delivery"
	"github.com/dropship-operator/dropship-operator/dispatcher/health"
	"github.com/dropship-operator/dropship-operator/dispatcher/pipeline"
	"github.com/dropship-operator/dropship-operator/dispatcher/routing"
	"github.com/dropship-operator/dropship-operator/dispatcher/server"
	"github.com/dropship-operator/dropship-operator/dispatcher/store"
	"github.com/dropship-operator/dropship-operator/dispatcher/supplier"
)

// Options are the knobs of a dispatcher that are not in the DispatcherConfig.
type Options struct {
	// Owner names this replica in store claims; the hostname when empty.
	Owner string
	// Lease of claimed lines (store.DefaultLease when 0). A restarted dispatcher resumes the
	// lines a crashed one held once their lease ends.
	Lease time.Duration
	// Listen overrides config.Server.Listen (tests pass "127.0.0.1:0").
	Listen string
	Log    logr.Logger
}

// Dispatcher is one running dispatcher.
type Dispatcher struct {
	cfg      *config.DispatcherConfig
	log      logr.Logger
	st       store.Store
	tracker  *health.Tracker
	pipeline *pipeline.Pipeline
	server   *server.Server

	stopOnce sync.Once
	stop     chan struct{}
	done     chan struct{}
}

// New builds a dispatcher; nothing runs until Run.
func New(ctx context.Context, cfg *config.DispatcherConfig, opts Options) (d *Dispatcher, err error) {
	log := opts.Log.WithValues("policy", cfg.Policy.String())
	// Mounted SKU maps (catalog.skuMapRef) are merged into the catalogs once, here, so
	// routing's catalog checks and prices see them as the adapters do.
	if err := cfg.ResolveCatalogs(); err != nil {
		return nil, err
	}
	if opts.Owner == "" {
		h, _ := os.Hostname()
		opts.Owner = h
	}
	st, err := openStore(ctx, cfg.Store)
	if err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			_ = st.Close()
		}
	}()
	tracker, err := health.New(cfg, health.Options{})
	if err != nil {
		return nil, fmt.Errorf("cannot create health tracker: %w", err)
	}
	if err := seedQuotas(ctx, st, cfg, tracker, time.Now()); err != nil {
		return nil, err
	}
	var sups []delivery.Supplier
	pollers := map[string]pipeline.ShipmentPolling{}
	callbackSecrets := map[string][]byte{}
	for _, s := range cfg.Suppliers {
		ad, err := newAdapter(s)
		if err != nil {
			return nil, err
		}
		sups = append(sups, delivery.Supplier{Name: s.Name, Adapter: ad, Capacity: s.Capacity, Delivery: s.Delivery})
		if s.HTTP != nil {
			switch s.HTTP.Shipments.Mode {
			case config.ShipmentsPoll:
				pollers[s.Name] = pipeline.ShipmentPolling{Poller: ad.(supplier.ShipmentPoller), Interval: s.HTTP.Shipments.PollInterval.Duration}
			default:
				var secret []byte
				if dir := s.HTTP.Shipments.CallbackSecretDir; dir != "" {
					v, err := supplier.ReadSecret(dir, config.SecretKeyCallbackSecret)
					if err != nil {
						return nil, fmt.Errorf("cannot read callback secret of supplier %q: %w", s.Name, err)
					}
					secret = []byte(v)
				} else {
					log.Info("shipment callbacks are not signed: no callbackSecretDir", "supplier", s.Name)
				}
				callbackSecrets[s.Name] = secret
			}
		}
	}
	engine, err := routing.Compile(cfg)
	if err != nil {
		return nil, fmt.Errorf("cannot compile routing rules: %w", err)
	}
	popts := pipeline.Options{
		Owner: opts.Owner, Source: cfg.Source.Name, Mode: cfg.Mode, Lease: opts.Lease,
		Router: &engineRouter{engine: engine, tracker: tracker}, Suppliers: sups,
		BreakerThreshold:  cfg.Adaptive.ConsecutiveFailures,
		BreakerOpenFor:    cfg.Adaptive.BaseEjectionTime.Duration,
		BreakerMaxOpenFor: cfg.Adaptive.MaxEjectionTime.Duration,
		PublicURL:         cfg.Server.PublicURL,
		Health:            tracker, ShipmentPollers: pollers,
	}
	if err := wireSource(ctx, cfg, &popts, log); err != nil {
		return nil, err
	}
	p, err := pipeline.New(st, popts, log.WithName("pipeline"))
	if err != nil {
		return nil, err
	}
	names := make([]string, 0, len(cfg.Suppliers))
	for _, s := range cfg.Suppliers {
		names = append(names, s.Name)
	}
	p.Metrics().Registry.MustRegister(newWeightCollector(tracker, engine, names))
	sopts := server.Options{Addr: cfg.Server.Listen, Source: cfg.Source.Name, CallbackSecrets: callbackSecrets}
	if opts.Listen != "" {
		sopts.Addr = opts.Listen
	}
	if w := cfg.Source.Webhook; w != nil {
		if sopts.IntakeHMACSecret, sopts.IntakeBearerToken, err = webhookSecrets(w.SecretDir); err != nil {
			return nil, err
		}
	}
	if f := cfg.Server.AdminTokenFile; f != "" {
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, fmt.Errorf("cannot read admin token %q: %w", f, err)
		}
		sopts.AdminToken = strings.TrimSpace(string(b))
	}
	srv, err := server.New(sopts, p, log.WithName("server"))
	if err != nil {
		return nil, err
	}
	if cfg.Server.PublicURL == "" {
		// Suppliers on this machine reach the callbacks on the listen address.
		p.SetPublicURL(loopbackURL(srv.Addr()))
	}
	return &Dispatcher{cfg: cfg, log: log, st: st, tracker: tracker, pipeline: p, server: srv,
		stop: make(chan struct{}), done: make(chan struct{})}, nil
}

// loopbackURL is http://addr with an unspecified host replaced by 127.0.0.1.
func loopbackURL(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "http://" + addr
	}
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		host = "127.0.0.1"
	}
	return "http://" + net.JoinHostPort(host, port)
}

// webhookSecrets reads the intake Secret: hmacSecret and/or bearerToken.
func webhookSecrets(dir string) ([]byte, string, error) {
	h, herr := supplier.ReadSecret(dir, config.SecretKeyHMACSecret)
	b, berr := supplier.ReadSecret(dir, config.SecretKeyBearerToken)
	if herr != nil && berr != nil {
		return nil, "", fmt.Errorf("cannot read intake secret %q: need key %s or %s: %w", dir,
			config.SecretKeyHMACSecret, config.SecretKeyBearerToken, errors.Join(herr, berr))
	}
	return []byte(h), b, nil
}

// Addr is the HTTP server's address.
func (d *Dispatcher) Addr() string { return d.server.Addr() }

// Pipeline returns the pipeline (tests read its store and metrics).
func (d *Dispatcher) Pipeline() *pipeline.Pipeline { return d.pipeline }

// Tracker returns the health tracker.
func (d *Dispatcher) Tracker() *health.Tracker { return d.tracker }

// Run runs the pipeline and the server until ctx ends or Shutdown is called, then shuts
// both down (the server first, so no new orders arrive while delivery drains) and closes
// the journal.
func (d *Dispatcher) Run(ctx context.Context) error {
	defer close(d.done)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	perr := make(chan error, 1)
	go func() { perr <- d.pipeline.Run(context.WithoutCancel(ctx)) }()
	serr := make(chan error, 1)
	sctx, scancel := context.WithCancel(context.WithoutCancel(ctx))
	defer scancel()
	go func() { serr <- d.server.Run(sctx) }()
	d.log.Info("dispatcher running", "addr", d.server.Addr(), "mode", string(d.cfg.Mode),
		"store", string(d.cfg.Store.Type), "suppliers", len(d.cfg.Suppliers))
	var runErr error
	select {
	case <-ctx.Done():
	case <-d.stop:
	case runErr = <-serr:
		serr <- nil
	case runErr = <-perr:
		perr <- nil
	}
	shut, cancelShut := context.WithTimeout(context.Background(), 25*time.Second)
	defer cancelShut()
	errs := []error{runErr, d.server.Shutdown(shut)}
	scancel()
	errs = append(errs, <-serr, d.pipeline.Shutdown(shut), <-perr, d.st.Close())
	d.log.Info("dispatcher stopped")
	return errors.Join(errs...)
}

// Shutdown asks Run to stop and waits for it, until ctx ends.
func (d *Dispatcher) Shutdown(ctx context.Context) error {
	d.stopOnce.Do(func() { close(d.stop) })
	select {
	case <-d.done:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("cannot shut the dispatcher down: %w", ctx.Err())
	}
}
