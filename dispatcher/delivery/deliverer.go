package delivery

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-logr/logr"

	"github.com/dropship-operator/dropship-operator/dispatcher/config"
	"github.com/dropship-operator/dropship-operator/dispatcher/order"
	"github.com/dropship-operator/dropship-operator/dispatcher/store"
	"github.com/dropship-operator/dropship-operator/dispatcher/supplier"
)

// Supplier is one supplier the Deliverer sends to.
type Supplier struct {
	Name     string
	Adapter  supplier.Adapter
	Capacity config.Capacity
	Delivery config.Delivery
}

// Observer hears about every supplier call and every journaled change. Metrics and the
// health windows hang off it; it must not block.
type Observer interface {
	// Attempt is called after every supplier call.
	Attempt(supplier string, outcome Outcome, took time.Duration, err error)
	// Committed is called after a change to line l (as it was before) was journaled.
	Committed(l *store.Line, c store.Change)
}

// Options configures a Deliverer.
type Options struct {
	// Owner names this replica in claims.
	Owner string
	// Lease is how long claimed lines stay ours (store.DefaultLease when 0).
	Lease time.Duration
	// Suppliers are the suppliers to deliver to.
	Suppliers []Supplier
	// Breaker is the template of every supplier's circuit breaker.
	BreakerThreshold  int
	BreakerOpenFor    time.Duration
	BreakerMaxOpenFor time.Duration
	// CallbackURL returns the shipment callback URL passed to a supplier; may be nil.
	CallbackURL func(supplier string) string
	// Observer may be nil.
	Observer Observer
	// BatchSize caps one store batch (default 256).
	BatchSize int
	// ResumeInterval is how often due retries are claimed (default 100ms).
	ResumeInterval time.Duration
	// QueueSize is each supplier's queue length (default 1024).
	QueueSize int
}

type job struct {
	line *store.Line // as journaled, in Submitted
}

type result struct {
	line   *store.Line
	change store.Change
}

// Deliverer runs the supplier worker pools, journals every attempt, and resumes retries
// and unfinished deliveries from the store.
type Deliverer struct {
	st    store.Store
	opts  Options
	log   logr.Logger
	pools map[string]*pool

	results chan result
	wake    chan struct{}

	launchMu sync.Mutex
	mu       sync.Mutex
	inflight map[string]bool

	stopOnce sync.Once
	stop     chan struct{}
	hardCtx  context.Context
	hard     context.CancelFunc
	done     chan struct{}
}

// New builds a Deliverer over the store.
func New(st store.Store, opts Options, log logr.Logger) (*Deliverer, error) {
	if opts.Owner == "" {
		return nil, errors.New("cannot create deliverer: Owner is required")
	}
	if opts.Lease <= 0 {
		opts.Lease = store.DefaultLease
	}
	if opts.BatchSize <= 0 {
		opts.BatchSize = 256
	}
	if opts.ResumeInterval <= 0 {
		opts.ResumeInterval = 100 * time.Millisecond
	}
	if opts.QueueSize <= 0 {
		opts.QueueSize = 1024
	}
	if opts.BreakerOpenFor <= 0 {
		opts.BreakerOpenFor = config.DefaultBaseEjection
	}
	d := &Deliverer{
		st: st, opts: opts, log: log,
		pools:    map[string]*pool{},
		results:  make(chan result, opts.BatchSize*4),
		wake:     make(chan struct{}, 1),
		inflight: map[string]bool{},
		stop:     make(chan struct{}),
		done:     make(chan struct{}),
	}
	d.hardCtx, d.hard = context.WithCancel(context.Background())
	for _, s := range opts.Suppliers {
		if s.Adapter == nil {
			return nil, fmt.Errorf("cannot create deliverer for supplier %q: no adapter", s.Name)
		}
		d.pools[s.Name] = newPool(d, s)
	}
	return d, nil
}

// Breaker returns a supplier's circuit breaker state (closed for unknown suppliers).
func (d *Deliverer) Breaker(supplierName string) BreakerState {
	if p, ok := d.pools[supplierName]; ok {
		return p.breaker.State(time.Now())
	}
	return BreakerClosed
}

// Wake makes the resume loop look for due lines now.
func (d *Deliverer) Wake() {
	select {
	case d.wake <- struct{}{}:
	default:
	}
}

// Free is how many more lines the supplier queues can take now.
func (d *Deliverer) Free() int {
	n := 0
	for _, p := range d.pools {
		n += p.room()
	}
	return n
}

// Run starts the worker pools and the resume loop and blocks until ctx is done or
// Shutdown is called; then it stops taking work, lets calls in flight finish, journals
// their outcomes, and returns.
func (d *Deliverer) Run(ctx context.Context) error {
	defer close(d.done)
	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		select {
		case <-d.stop:
			cancel()
		case <-runCtx.Done():
		}
	}()
	var workers sync.WaitGroup
	for _, p := range d.pools {
		p.start(runCtx, &workers)
	}
	committed := make(chan struct{})
	var committers sync.WaitGroup
	for range 2 {
		committers.Add(1)
		go func() { defer committers.Done(); d.commitLoop() }()
	}
	go func() { committers.Wait(); close(committed) }()
	d.resumeLoop(runCtx)
	workers.Wait()
	// Lines still queued were never sent: give them back, attempt not counted.
	for _, p := range d.pools {
		for {
			select {
			case j := <-p.queue:
				d.results <- result{line: j.line, change: giveBack(j.line, time.Now())}
				continue
			default:
			}
			break
		}
	}
	close(d.results)
	<-committed
	return nil
}

// Shutdown stops the Deliverer and waits for Run to return. When ctx ends first, calls in
// flight are cancelled (their lines are retried after a restart).
func (d *Deliverer) Shutdown(ctx context.Context) error {
	d.stopOnce.Do(func() { close(d.stop) })
	select {
	case <-d.done:
		return nil
	case <-ctx.Done():
		d.hard()
		<-d.done
		return fmt.Errorf("cannot shut delivery down gracefully: %w", ctx.Err())
	}
}

func (d *Deliverer) resumeLoop(ctx context.Context) {
	t := time.NewTicker(d.opts.ResumeInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-d.wake:
		}
		for ctx.Err() == nil {
			free := d.Free()
			if free <= 0 {
				break
			}
			if free > d.opts.BatchSize {
				free = d.opts.BatchSize
			}
			lines, err := d.st.Claim(ctx, store.ClaimRequest{
				Owner: d.opts.Owner, States: []order.State{order.StateRouted, order.StateSubmitted},
				Now: time.Now(), Limit: free, Lease: d.opts.Lease,
			})
			if err != nil {
				if ctx.Err() == nil {
					d.log.Error(err, "cannot claim due deliveries")
				}
				break
			}
			if len(lines) == 0 {
				break
			}
			if err := d.Launch(ctx, lines, nil); err != nil && ctx.Err() == nil {
				d.log.Error(err, "cannot launch deliveries")
				break
			}
			if len(lines) < free {
				break
			}
		}
	}
}

// Launch takes lines in Routed (or Submitted, for a retry), journals each as Submitted
// with its attempt counted, and queues it for its supplier. pre are changes to commit in
// the same batch, before those (the routing decisions that moved the lines to Routed):
// lines are given as they are once pre is applied. Lines of an unknown supplier are
// dead-lettered; lines whose supplier queue is full are put back, due in a second.
//
// A launched line is due again only after the lease (NextAttemptAt), so no other claim
// takes it while it is queued or in flight, whether or not it was claimed.
func (d *Deliverer) Launch(ctx context.Context, lines []*store.Line, pre []Pre) error {
	// Queue room is reserved under the lock; the journal write happens outside it, so
	// concurrent launches share the journal's group commit.
	d.launchMu.Lock()
	now := time.Now()
	room := map[string]int{}
	for n, p := range d.pools {
		room[n] = p.room()
	}
	changes := make([]store.Change, 0, len(pre)+len(lines))
	before := make([]*store.Line, 0, len(pre)+len(lines))
	for _, p := range pre {
		changes = append(changes, p.Change)
		before = append(before, p.Line)
	}
	sent := make([]*store.Line, len(pre), len(pre)+len(lines))
	var mine []string
	d.mu.Lock()
	for _, l := range lines {
		if d.inflight[l.ID] {
			continue
		}
		if l.State != order.StateRouted && l.State != order.StateSubmitted {
			continue
		}
		if _, ok := d.pools[l.Supplier]; !ok {
			changes = append(changes, store.Change{ID: l.ID, From: l.State, Version: l.Version,
				To: order.StateDeadLettered, ReleaseLease: true,
				Reason: ptr(fmt.Sprintf("supplier %q is not configured", l.Supplier))})
			sent = append(sent, nil)
			before = append(before, l)
			continue
		}
		if room[l.Supplier] <= 0 {
			changes = append(changes, store.Change{ID: l.ID, From: l.State, Version: l.Version,
				To: l.State, ReleaseLease: true, NextAttemptAt: ptr(now.Add(time.Second))})
			sent = append(sent, nil)
			before = append(before, l)
			continue
		}
		room[l.Supplier]--
		d.pools[l.Supplier].reserved.Add(1)
		d.inflight[l.ID] = true
		mine = append(mine, l.ID)
		c := store.Change{ID: l.ID, From: l.State, Version: l.Version, To: order.StateSubmitted,
			Attempts: ptr(l.Attempts + 1), NextAttemptAt: ptr(now.Add(d.opts.Lease))}
		if l.IdempotencyKey == "" {
			c.IdempotencyKey = ptr(order.IdempotencyKey(l.Source, l.BillNo, l.EntryID, l.Supplier))
		}
		changes = append(changes, c)
		sent = append(sent, l)
		before = append(before, l)
	}
	d.mu.Unlock()
	d.launchMu.Unlock()
	if len(changes) == 0 {
		return nil
	}
	errs, err := d.st.Apply(context.WithoutCancel(ctx), changes)
	if err != nil {
		d.mu.Lock()
		for _, id := range mine {
			delete(d.inflight, id)
		}
		d.mu.Unlock()
		for _, l := range sent {
			if l != nil {
				d.pools[l.Supplier].reserved.Add(-1)
			}
		}
		return fmt.Errorf("cannot journal %d deliveries: %w", len(changes), err)
	}
	for i, c := range changes {
		l := sent[i]
		if errs[i] != nil {
			if l != nil {
				d.mu.Lock()
				delete(d.inflight, l.ID)
				d.mu.Unlock()
				d.pools[l.Supplier].reserved.Add(-1)
			}
			if !errors.Is(errs[i], store.ErrConflict) {
				d.log.Error(errs[i], "cannot journal delivery", "line", c.ID)
			}
			continue
		}
		if d.opts.Observer != nil {
			d.opts.Observer.Committed(before[i], c)
		}
		if l == nil {
			continue
		}
		nl := *l
		nl.State = order.StateSubmitted
		nl.Version = c.Version + 1
		nl.Attempts = *c.Attempts
		if c.IdempotencyKey != nil {
			nl.IdempotencyKey = *c.IdempotencyKey
		}
		pl := d.pools[l.Supplier]
		pl.queue <- job{line: &nl} // room was reserved: this does not block
		pl.reserved.Add(-1)
	}
	return nil
}

// Pre is a change Launch commits ahead of the deliveries, with the line as it was before.
type Pre struct {
	Line   *store.Line
	Change store.Change
}

// giveBack undoes the attempt count of a queued line that was never sent.
func giveBack(l *store.Line, at time.Time) store.Change {
	return store.Change{ID: l.ID, From: l.State, Version: l.Version, To: order.StateSubmitted,
		Attempts: ptr(l.Attempts - 1), NextAttemptAt: ptr(at), ReleaseLease: true}
}

// commitLoop journals outcomes in batches: it takes what is waiting and, when that is
// little, waits up to gatherWindow for more, so the journal sees few, large writes.
func (d *Deliverer) commitLoop() {
	const gatherWindow = 2 * time.Millisecond
	batch := make([]result, 0, d.opts.BatchSize)
	timer := time.NewTimer(gatherWindow)
	timer.Stop()
	for r := range d.results {
		batch = append(batch[:0], r)
		timer.Reset(gatherWindow)
	fill:
		for len(batch) < d.opts.BatchSize {
			select {
			case r, ok := <-d.results:
				if !ok {
					break fill
				}
				batch = append(batch, r)
			case <-timer.C:
				break fill
			}
		}
		timer.Stop()
		d.commit(batch)
	}
}

func (d *Deliverer) commit(batch []result) {
	changes := make([]store.Change, len(batch))
	for i, r := range batch {
		changes[i] = r.change
	}
	var errs []error
	for try := 0; ; try++ {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		var err error
		errs, err = d.st.Apply(ctx, changes)
		cancel()
		if err == nil {
			break
		}
		d.log.Error(err, "cannot journal delivery outcomes, retrying", "lines", len(changes))
		if try >= 5 {
			// The lines stay Submitted and leased: they are retried (same key) when the
			// lease ends.
			errs = make([]error, len(changes))
			for i := range errs {
				errs[i] = err
			}
			break
		}
		time.Sleep(time.Duration(try+1) * 200 * time.Millisecond)
	}
	d.mu.Lock()
	for _, r := range batch {
		delete(d.inflight, r.line.ID)
	}
	d.mu.Unlock()
	retry := false
	for i, r := range batch {
		if errs[i] != nil {
			if !errors.Is(errs[i], store.ErrConflict) {
				d.log.Error(errs[i], "cannot journal delivery outcome", "line", r.line.ID)
			}
			continue
		}
		if r.change.To == order.StateSubmitted {
			retry = true
		}
		if d.opts.Observer != nil {
			d.opts.Observer.Committed(r.line, r.change)
		}
	}
	if retry {
		d.Wake()
	}
}

type pool struct {
	d     *Deliverer
	s     Supplier
	queue chan job
	// reserved counts queue places promised to launches whose journal write is pending.
	reserved atomic.Int64
	breaker  *Breaker
	limiter  *limiter
	workers  int
}

// room is how many more lines the queue can be promised.
func (p *pool) room() int { return cap(p.queue) - len(p.queue) - int(p.reserved.Load()) }

func newPool(d *Deliverer, s Supplier) *pool {
	w := s.Capacity.MaxConcurrent
	if w <= 0 {
		w = 16
	}
	return &pool{
		d: d, s: s, workers: w,
		queue: make(chan job, d.opts.QueueSize),
		breaker: &Breaker{Threshold: d.opts.BreakerThreshold, OpenFor: d.opts.BreakerOpenFor,
			MaxOpenFor: d.opts.BreakerMaxOpenFor},
		limiter: newLimiter(s.Capacity.RatePerSecond),
	}
}

func (p *pool) start(ctx context.Context, wg *sync.WaitGroup) {
	for i := 0; i < p.workers; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-ctx.Done():
					return
				case j := <-p.queue:
					p.d.results <- p.deliver(ctx, j.line)
				}
			}
		}()
	}
}

func (p *pool) deliver(ctx context.Context, l *store.Line) result {
	now := time.Now()
	ok, retryAt := p.breaker.Allow(now)
	if !ok {
		return result{line: l, change: giveBack(l, retryAt)}
	}
	if err := p.limiter.Wait(ctx); err != nil {
		p.breaker.Release()
		return result{line: l, change: giveBack(l, time.Now())}
	}
	req := supplier.Request{Order: l.Order, Lines: []int{l.Index}, IdempotencyKey: l.IdempotencyKey}
	if p.d.opts.CallbackURL != nil {
		req.CallbackURL = p.d.opts.CallbackURL(p.s.Name)
	}
	callCtx, cancel := context.WithTimeout(p.d.hardCtx, p.s.Delivery.Timeout.Or(config.DefaultDeliveryTimeout))
	start := time.Now()
	res, err := p.s.Adapter.Submit(callCtx, req)
	took := time.Since(start)
	cancel()
	c, outcome := Plan(l, p.s.Delivery, res, err, time.Now(), rand.Float64())
	switch outcome {
	case OutcomeAccepted, OutcomeRejected:
		p.breaker.Success()
	case OutcomeError, OutcomeTimeout:
		if p.breaker.Failure(time.Now()) {
			p.d.log.Info("circuit opened", "supplier", p.s.Name, "error", err.Error())
		}
	default:
		p.breaker.Release()
	}
	if p.d.opts.Observer != nil {
		p.d.opts.Observer.Attempt(p.s.Name, outcome, took, err)
	}
	return result{line: l, change: c}
}
