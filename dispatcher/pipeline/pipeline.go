package pipeline

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/go-logr/logr"

	"github.com/dropship-operator/dropship-operator/dispatcher/config"
	"github.com/dropship-operator/dropship-operator/dispatcher/delivery"
	"github.com/dropship-operator/dropship-operator/dispatcher/order"
	"github.com/dropship-operator/dropship-operator/dispatcher/store"
	"github.com/dropship-operator/dropship-operator/dispatcher/supplier"
)

// Options configures a Pipeline.
type Options struct {
	// Owner names this replica in store claims (hostname by default in cmd/dispatcher).
	Owner string
	// Source is the OrderSource name recorded on webhook orders that do not name one.
	Source string
	Mode   config.Mode
	// Lease of claimed lines (store.DefaultLease when 0).
	Lease time.Duration
	// BatchSize caps one claim and one store batch (default 256).
	BatchSize int
	// Tick is how often idle stages look for work (default 50ms); new work wakes them at once.
	Tick time.Duration

	Router Router
	// Suppliers are the delivery targets (adapters and their capacity and retry settings).
	Suppliers []delivery.Supplier
	// Breaker settings for every supplier (see delivery.Options).
	BreakerThreshold  int
	BreakerOpenFor    time.Duration
	BreakerMaxOpenFor time.Duration
	// PublicURL, when set, gives suppliers a callback URL (PublicURL/v1/suppliers/{name}/shipments).
	PublicURL string

	// Health receives every outcome; may be nil.
	Health HealthRecorder
	// Poller, Recorder and Tracking are the ERP hooks; nil with a webhook source.
	Poller       OrderPoller
	PollInterval time.Duration
	// SourceCursor is the store cursor the poller's watermark is kept under
	// (SourceCursor(Source) when empty).
	SourceCursor string
	Recorder     PurchaseOrderRecorder
	Tracking     TrackingWriter
	// RecordBatch and CloseBatch cap how many lines one purchase-order write-back and one
	// tracking write-back stage claim (and so hand to one ERP call batch); BatchSize when 0,
	// at most store.MaxClaim. Larger batches mean fewer ERP calls per order.
	RecordBatch, CloseBatch int
	// Cancels, with an ERP source, moves lines of orders cancelled in the ERP to Cancelled
	// before they are sent (checked every PollInterval).
	Cancels CancelChecker
	// ShipmentPollers are suppliers asked for shipments rather than calling back, with
	// the interval between polls of one line.
	ShipmentPollers map[string]ShipmentPolling

	Metrics *Metrics
}

// ShipmentPolling is one supplier polled for shipments.
type ShipmentPolling struct {
	Poller   supplier.ShipmentPoller
	Interval time.Duration
}

// Pipeline runs every stage. Create it with New, start it with Run, stop it with Shutdown.
type Pipeline struct {
	st      store.Store
	opts    Options
	log     logr.Logger
	m       *Metrics
	deliver *delivery.Deliverer

	publicURL string

	// fresh are lines Intake just journaled, handed to the router in memory.
	fresh     chan *store.Line
	wakeRoute chan struct{}
	wakeERP   chan struct{}
	wakeClose chan struct{}

	stopOnce sync.Once
	stop     chan struct{}
	done     chan struct{}
	ready    chan struct{}

	polls pollStats

	// recordMu serializes purchase-order write-backs: see recordPurchaseOrders.
	recordMu sync.Mutex
}

// New builds a pipeline over the store.
func New(st store.Store, opts Options, log logr.Logger) (*Pipeline, error) {
	if opts.Router == nil {
		return nil, errors.New("cannot create pipeline: a Router is required")
	}
	if opts.Owner == "" {
		return nil, errors.New("cannot create pipeline: Owner is required")
	}
	if opts.Mode == "" {
		opts.Mode = config.ModeLive
	}
	if opts.BatchSize <= 0 {
		opts.BatchSize = 256
	}
	opts.RecordBatch = claimSize(opts.RecordBatch, opts.BatchSize)
	opts.CloseBatch = claimSize(opts.CloseBatch, opts.BatchSize)
	if opts.Tick <= 0 {
		opts.Tick = 50 * time.Millisecond
	}
	if opts.Lease <= 0 {
		opts.Lease = store.DefaultLease
	}
	if opts.SourceCursor == "" {
		opts.SourceCursor = SourceCursor(opts.Source)
	}
	if opts.PollInterval <= 0 {
		opts.PollInterval = config.DefaultPollInterval
	}
	if opts.Metrics == nil {
		opts.Metrics = NewMetrics(st)
	}
	p := &Pipeline{
		st: st, opts: opts, log: log, m: opts.Metrics,
		wakeRoute: make(chan struct{}, 1),
		fresh:     make(chan *store.Line, 16384),
		wakeERP:   make(chan struct{}, 1),
		wakeClose: make(chan struct{}, 1),
		stop:      make(chan struct{}),
		done:      make(chan struct{}),
		ready:     make(chan struct{}),
	}
	p.publicURL = opts.PublicURL
	cb := func(s string) string {
		if p.publicURL == "" {
			return ""
		}
		return CallbackURL(p.publicURL, s)
	}
	d, err := delivery.New(st, delivery.Options{
		Owner: opts.Owner, Lease: opts.Lease, Suppliers: opts.Suppliers,
		BreakerThreshold: opts.BreakerThreshold, BreakerOpenFor: opts.BreakerOpenFor,
		BreakerMaxOpenFor: opts.BreakerMaxOpenFor,
		CallbackURL:       cb, Observer: (*observer)(p), BatchSize: opts.BatchSize,
	}, log.WithName("delivery"))
	if err != nil {
		return nil, fmt.Errorf("cannot create pipeline: %w", err)
	}
	p.deliver = d
	return p, nil
}

// CallbackURL is where supplier name posts shipment callbacks.
func CallbackURL(public, name string) string {
	for len(public) > 0 && public[len(public)-1] == '/' {
		public = public[:len(public)-1]
	}
	return public + "/v1/suppliers/" + name + "/shipments"
}

// SetPublicURL sets the base of the callback URLs given to suppliers when Options.PublicURL
// was empty (the server's address is known only once it listens). Call it before Run.
func (p *Pipeline) SetPublicURL(u string) { p.publicURL = u }

// Metrics returns the pipeline's metrics.
func (p *Pipeline) Metrics() *Metrics { return p.m }

// Store returns the journal.
func (p *Pipeline) Store() store.Store { return p.st }

// DeadLetters lists and replays dead letters (replays wake the router).
func (p *Pipeline) DeadLetters() delivery.DeadLetters { return delivery.DeadLetters{Store: p.st} }

// Ready is closed once every stage runs.
func (p *Pipeline) Ready() <-chan struct{} { return p.ready }

// Run runs every stage until ctx ends or Shutdown is called.
func (p *Pipeline) Run(ctx context.Context) error {
	defer close(p.done)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		select {
		case <-p.stop:
			cancel()
		case <-ctx.Done():
		}
	}()
	var wg sync.WaitGroup
	dErr := make(chan error, 1)
	wg.Add(1)
	go func() {
		defer wg.Done()
		dErr <- p.deliver.Run(ctx)
	}()
	stages := []func(context.Context){p.routeLoop, p.closeLoop, p.circuitLoop}
	if p.opts.Poller != nil {
		stages = append(stages, p.sourceLoop)
	}
	if p.opts.Recorder != nil {
		stages = append(stages, p.recordLoop)
	}
	if p.opts.Cancels != nil {
		stages = append(stages, p.cancelLoop)
	}
	for name, sp := range p.opts.ShipmentPollers {
		stages = append(stages, func(ctx context.Context) { p.pollShipments(ctx, name, sp) })
	}
	for _, s := range stages {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s(ctx)
		}()
	}
	close(p.ready)
	p.log.Info("pipeline running", "mode", string(p.opts.Mode), "suppliers", len(p.opts.Suppliers))
	wg.Wait()
	return <-dErr
}

// Shutdown stops the stages, lets supplier calls in flight finish and journals their
// outcomes; when ctx ends first, calls in flight are cancelled.
func (p *Pipeline) Shutdown(ctx context.Context) error {
	p.stopOnce.Do(func() { close(p.stop) })
	err := p.deliver.Shutdown(ctx)
	select {
	case <-p.done:
	case <-ctx.Done():
		return fmt.Errorf("cannot shut the pipeline down gracefully: %w", ctx.Err())
	}
	return err
}

func wake(ch chan struct{}) {
	select {
	case ch <- struct{}{}:
	default:
	}
}

// Intake journals valid orders (the caller has validated them) and wakes the router. It
// returns one result per order.
func (p *Pipeline) Intake(ctx context.Context, orders []*order.Order) ([]store.IntakeResult, error) {
	if len(orders) == 0 {
		return nil, nil
	}
	// One store call (one transaction) per batch: the journal's group commit merges
	// concurrent batches, and a flood of intake cannot starve delivery's writes.
	res, err := p.st.IntakeBatch(ctx, orders)
	if err != nil {
		return nil, fmt.Errorf("cannot journal %d orders: %w", len(orders), err)
	}
	now := time.Now()
	full := false
	for i, r := range res {
		if len(r.New) == 0 {
			p.m.OrdersReceived.WithLabelValues(orders[i].Source, "duplicate").Inc()
			continue
		}
		p.m.OrdersReceived.WithLabelValues(orders[i].Source, "new").Inc()
		o := orders[i]
		isNew := make(map[string]bool, len(r.New))
		for _, id := range r.New {
			isNew[id] = true
		}
		for j := range o.Lines {
			ref := o.Ref(j)
			id := ref.ID()
			if !isNew[id] || full {
				continue
			}
			l := &store.Line{ID: id, LineRef: ref, Order: o, Index: j, State: order.StateReceived,
				Version: 1, CreatedAt: now, UpdatedAt: now}
			select {
			case p.fresh <- l:
			default:
				full = true // the claim path picks the rest up from the journal
			}
		}
	}
	if full {
		wake(p.wakeRoute)
	}
	return res, nil
}

// IntakeInvalid journals an order that failed validation; the router dead-letters its
// lines with the field errors as the reason (it validates every order it routes, so this
// holds across a crash too): an invalid order is never dropped and never delivered. It
// fails when the order cannot even be identified (no bill number, no entry ids).
func (p *Pipeline) IntakeInvalid(ctx context.Context, o *order.Order) error {
	if _, err := p.st.Intake(ctx, o); err != nil {
		return fmt.Errorf("cannot journal invalid order %q: %w", o.BillNo, err)
	}
	p.m.OrdersReceived.WithLabelValues(o.Source, "invalid").Inc()
	wake(p.wakeRoute)
	return nil
}

// Replay replays a dead letter and wakes the router.
func (p *Pipeline) Replay(ctx context.Context, id string) (*store.Line, error) {
	l, err := p.DeadLetters().Replay(ctx, id)
	if err != nil {
		return nil, err
	}
	p.m.Transitions.WithLabelValues(string(order.StateReceived)).Inc()
	wake(p.wakeRoute)
	return l, nil
}

// claimSize is n, or def when n is not set, capped at what one claim may take.
func claimSize(n, def int) int {
	if n <= 0 {
		n = def
	}
	return min(n, store.MaxClaim)
}
