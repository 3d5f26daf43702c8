// Package suppliertest is a supplier simulator that serves real HTTP on loopback, and the
// conformance suite every supplier adapter must pass against it.
//
// One Server is one supplier. It takes orders in the HTTP adapter's default payload
// (supplier.DefaultPayload) at POST /v1/orders, answers
//
//	{"code":0,"message":"accepted","orderId":"S-1","data":{"orderId":"S-1"}}
//
// and keeps an idempotency ledger: a repeat of an accepted Idempotency-Key gets the same
// order id and counts as a replay; an order line (source + bill + entry) accepted under two
// different keys counts as a duplicate. Faults — latency, 5xx, 429 with Retry-After,
// requests that hang past the client's timeout, soft rejections — follow a Profile that
// can change at runtime. Accepted orders ship after the profile's ship delay: the server
// POSTs a signed supplier.Callback to the order's callback URL (retrying on failure) and
// GET /v1/orders/{id} reports SHIPPED with the tracking number. The admin API under
// /_sim/ reads Stats and switches profiles; see docs/supplier-http.md.
package suppliertest

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// Paths the simulator serves.
const (
	OrdersPath = "/v1/orders"
	AdminPath  = "/_sim/"
)

// Codes in the simulator's answers (the JSON "code" field).
const (
	CodeOK             = 0
	CodeOutOfStock     = 1001
	CodeBadRequest     = 40000
	CodeUnauthorized   = 40100
	CodeUnknownSKU     = 40401
	CodeKeyConflict    = 40901
	CodeThrottled      = 42900
	CodeInternal       = 50000
	CodeMissingIdemKey = 40002
)

// Options configure a Server. The zero value is a healthy supplier on a random loopback
// port that takes any SKU and ships at once.
type Options struct {
	// Name appears in stats and logs; "supplier" by default.
	Name string
	// Addr to listen on; "127.0.0.1:0" by default.
	Addr string
	// Profile is the starting (and "healthy" preset) behaviour.
	Profile Profile
	// Auth is demanded of every /v1/ call.
	Auth Auth
	// KnownSKUs, when set, is the catalog: an item with another SKU is refused with
	// RejectStatus (422 by default) and code 40401.
	KnownSKUs    []string
	RejectStatus int
	// CallbackSecret signs shipment callbacks (supplier.SignCallback); empty sends them
	// unsigned.
	CallbackSecret string
	// Carriers tracking numbers are drawn from; SF, ZTO, YTO and JD by default.
	Carriers []string
	// CallbackAttempts is how often a failing callback is tried (8 by default), waiting
	// CallbackBackoff (200ms by default) doubled each time, at most 30s.
	CallbackAttempts int
	CallbackBackoff  time.Duration
	// CallbackWorkers send callbacks concurrently (4 by default).
	CallbackWorkers int
	// HangLimit bounds how long a timed-out request hangs (30s by default).
	HangLimit time.Duration
	// Parse reads a submission body; ParseDefaultPayload by default. Set it when the
	// supplier under test uses its own request template.
	Parse func(body []byte) (Submission, error)
	// OrderIDPrefix prefixes supplier order ids; derived from Name by default.
	OrderIDPrefix string
}

// Server is one simulated supplier. Its methods are safe for concurrent use.
type Server struct {
	opts    Options
	base    Profile
	profile atomic.Pointer[Profile]
	ledger  *ledger
	stats   counters
	known   map[string]bool
	lastKey atomic.Pointer[string]
	ln      net.Listener
	srv     *http.Server
	shipper *shipper
	// release ends injected hangs (Close, Shutdown); done also ends latency sleeps and the
	// callback workers (Close, or Shutdown once requests in flight are answered).
	release     chan struct{}
	releaseOnce sync.Once
	done        chan struct{}
	closeMu     sync.Once
}

// NewServer listens on Options.Addr and starts serving. Stop it with Close or Shutdown.
func NewServer(opts Options) (*Server, error) {
	if opts.Name == "" {
		opts.Name = "supplier"
	}
	if opts.Addr == "" {
		opts.Addr = "127.0.0.1:0"
	}
	if opts.RejectStatus == 0 {
		opts.RejectStatus = http.StatusUnprocessableEntity
	}
	if len(opts.Carriers) == 0 {
		opts.Carriers = []string{"SF", "ZTO", "YTO", "JD"}
	}
	if opts.CallbackAttempts <= 0 {
		opts.CallbackAttempts = 8
	}
	if opts.CallbackBackoff <= 0 {
		opts.CallbackBackoff = 200 * time.Millisecond
	}
	if opts.CallbackWorkers <= 0 {
		opts.CallbackWorkers = 4
	}
	if opts.HangLimit <= 0 {
		opts.HangLimit = 30 * time.Second
	}
	if opts.Parse == nil {
		opts.Parse = ParseDefaultPayload
	}
	if opts.OrderIDPrefix == "" {
		opts.OrderIDPrefix = "SIM" + upperAlnum(opts.Name)
	}
	if err := opts.Profile.Validate(); err != nil {
		return nil, fmt.Errorf("cannot start supplier simulator %q: %w", opts.Name, err)
	}
	ln, err := net.Listen("tcp", opts.Addr)
	if err != nil {
		return nil, fmt.Errorf("cannot start supplier simulator %q: %w", opts.Name, err)
	}
	s := &Server{
		opts:    opts,
		base:    opts.Profile,
		ledger:  newLedger(opts.OrderIDPrefix),
		ln:      ln,
		release: make(chan struct{}),
		done:    make(chan struct{}),
	}
	p := opts.Profile
	s.profile.Store(&p)
	if len(opts.KnownSKUs) > 0 {
		s.known = make(map[string]bool, len(opts.KnownSKUs))
		for _, k := range opts.KnownSKUs {
			s.known[k] = true
		}
	}
	s.shipper = newShipper(s)
	s.srv = &http.Server{
		Handler:           s.Handler(),
		ReadHeaderTimeout: 5 * time.Second,
		IdleTimeout:       2 * time.Minute,
	}
	go func() { _ = s.srv.Serve(ln) }() // returns ErrServerClosed on Close and Shutdown
	return s, nil
}

func upperAlnum(s string) string {
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s) && len(out) < 8; i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z':
			out = append(out, c-'a'+'A')
		case c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
			out = append(out, c)
		}
	}
	return string(out)
}

// Name is the supplier's name.
func (s *Server) Name() string { return s.opts.Name }

// URL is the base URL, "http://127.0.0.1:port".
func (s *Server) URL() string { return "http://" + s.ln.Addr().String() }

// OrdersURL is where orders are submitted.
func (s *Server) OrdersURL() string { return s.URL() + OrdersPath }

// Addr is the listening address.
func (s *Server) Addr() string { return s.ln.Addr().String() }

// Profile returns the current profile.
func (s *Server) Profile() Profile { return *s.profile.Load() }

// SetProfile switches the behaviour for the next requests.
func (s *Server) SetProfile(p Profile) error {
	if err := p.Validate(); err != nil {
		return err
	}
	s.profile.Store(&p)
	return nil
}

// SetPreset switches to a named preset (PresetHealthy, PresetSlow, …).
func (s *Server) SetPreset(name string) error {
	p, err := Preset(name, s.base)
	if err != nil {
		return err
	}
	return s.SetProfile(p)
}

// Stats returns the counters.
func (s *Server) Stats() Stats {
	st := s.stats.snapshot()
	st.Name = s.opts.Name
	st.Orders = s.ledger.len()
	st.CallbacksPending = s.shipper.pending()
	return st
}

// Reset empties the ledger and the counters; callbacks already scheduled still go out.
func (s *Server) Reset() {
	s.ledger.reset()
	s.stats.reset()
}

// Lookup finds the ledger entry of an idempotency key.
func (s *Server) Lookup(idempotencyKey string) (Entry, bool) {
	seq, ok := s.ledger.byIdempotencyKey(idempotencyKey)
	if !ok {
		return Entry{}, false
	}
	e, _, ok := s.ledger.entry(seq)
	return e, ok
}

// LastIdempotencyKey is the Idempotency-Key header of the latest submission.
func (s *Server) LastIdempotencyKey() string {
	if k := s.lastKey.Load(); k != nil {
		return *k
	}
	return ""
}

// Close stops at once: open requests are cut and pending callbacks dropped.
func (s *Server) Close() error {
	s.releaseHangs()
	s.stop()
	return s.srv.Close()
}

// Shutdown stops taking requests and lets those in flight finish, until ctx ends.
// Timeout-injected requests are cut at once (they would never finish); pending callbacks
// are dropped.
func (s *Server) Shutdown(ctx context.Context) error {
	s.releaseHangs()
	err := s.srv.Shutdown(ctx)
	s.stop()
	if err != nil {
		return fmt.Errorf("cannot shut down supplier simulator %q: %w", s.opts.Name, err)
	}
	return nil
}

func (s *Server) releaseHangs() { s.releaseOnce.Do(func() { close(s.release) }) }

func (s *Server) stop() {
	s.closeMu.Do(func() {
		close(s.done)
		s.shipper.stop()
	})
}

// Handler serves the supplier API and the admin API.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST "+OrdersPath, s.handleSubmit)
	mux.HandleFunc("GET "+OrdersPath+"/{id}", s.handleStatus)
	mux.HandleFunc("GET "+OrdersPath, s.handleStatus)
	s.adminRoutes(mux)
	return mux
}
