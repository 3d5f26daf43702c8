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
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/dropship-operator/dropship-operator/dispatcher/config"
	"github.com/dropship-operator/dropship-operator/dispatcher/order"
	"github.com/dropship-operator/dropship-operator/dispatcher/supplier"
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

// Auth is what the simulator demands of callers; the zero value demands nothing.
type Auth struct {
	Type       config.HTTPAuthType
	Token      string // Bearer
	Username   string // Basic
	Password   string // Basic
	APIKey     string // APIKey
	HeaderName string // APIKey header, X-API-Key by default
	HMACSecret string // HMAC (supplier.VerifyRequest)
}

// Submission is what the simulator needs from a request body.
type Submission struct {
	CallbackURL string
	// Lines are "source/billNo/entryID" keys (order.LineID).
	Lines []string
	// SKUs are the supplier SKUs ordered, checked against Options.KnownSKUs.
	SKUs []string
}

// ParseDefaultPayload reads supplier.DefaultPayload; it is the default Options.Parse.
func ParseDefaultPayload(body []byte) (Submission, error) {
	var p struct {
		CallbackURL string `json:"callbackUrl"`
		Order       struct {
			Source string `json:"source"`
			BillNo string `json:"billNo"`
		} `json:"order"`
		Items []struct {
			EntryID     string `json:"entryID"`
			SKU         string `json:"sku"`
			SupplierSKU string `json:"supplierSku"`
		} `json:"items"`
	}
	if err := json.Unmarshal(body, &p); err != nil {
		return Submission{}, fmt.Errorf("cannot decode order: %w", err)
	}
	if p.Order.BillNo == "" || len(p.Items) == 0 {
		return Submission{}, errors.New("cannot accept order: order.billNo and items are required")
	}
	s := Submission{CallbackURL: p.CallbackURL}
	for _, it := range p.Items {
		if it.EntryID == "" {
			return Submission{}, errors.New("cannot accept order: items[].entryID is required")
		}
		s.Lines = append(s.Lines, order.LineID(p.Order.Source, p.Order.BillNo, it.EntryID))
		sku := it.SupplierSKU
		if sku == "" {
			sku = it.SKU
		}
		s.SKUs = append(s.SKUs, sku)
	}
	return s, nil
}

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

// reply writes a JSON answer.
func reply(w http.ResponseWriter, status int, v any) {
	b, _ := json.Marshal(v)
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", fmt.Sprint(len(b)))
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

type apiAnswer struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
	OrderID string `json:"orderId,omitempty"`
	Data    any    `json:"data,omitempty"`
}

func (s *Server) handleSubmit(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	s.stats.requests.Add(1)
	defer func() { s.stats.latency.observe(time.Since(start)) }() // also when dropped
	status := s.submit(w, r)
	if status > 0 && status < len(s.stats.byStatus) {
		s.stats.byStatus[status].Add(1)
	}
}

// submit handles one submission and returns the status it answered (0: none, hung up).
func (s *Server) submit(w http.ResponseWriter, r *http.Request) int {
	p := s.profile.Load()
	body, err := io.ReadAll(io.LimitReader(r.Body, supplier.MaxBodyBytes+1))
	if err != nil {
		s.stats.badRequests.Add(1)
		return 0
	}
	key := r.Header.Get(supplier.HeaderIdempotencyKey)
	s.lastKey.Store(&key)
	if !s.authorized(r, body) {
		s.stats.authFailures.Add(1)
		reply(w, http.StatusUnauthorized, apiAnswer{Code: CodeUnauthorized, Message: "unauthorized"})
		return http.StatusUnauthorized
	}
	if !s.sleep(r.Context(), p) {
		panic(http.ErrAbortHandler) // stopping, or the client left: close without an answer
	}
	roll := rand.Float64()
	switch {
	case roll < p.TimeoutRate:
		if !p.TimeoutAfterAccept {
			s.stats.timeouts.Add(1)
			return s.hang(w, r)
		}
	case roll < p.TimeoutRate+p.DropRate:
		s.stats.dropped.Add(1)
		panic(http.ErrAbortHandler) // net/http closes the connection and logs nothing
	case roll < p.TimeoutRate+p.DropRate+p.ErrorRate:
		s.stats.injectedErrors.Add(1)
		st := p.ErrorStatus
		if st == 0 {
			st = http.StatusServiceUnavailable
		}
		reply(w, st, apiAnswer{Code: CodeInternal, Message: "injected failure"})
		return st
	case roll < p.TimeoutRate+p.DropRate+p.ErrorRate+p.ThrottleRate:
		s.stats.throttled.Add(1)
		ra := p.RetryAfter
		if ra <= 0 {
			ra = time.Second
		}
		if p.RetryAfterDate {
			w.Header().Set("Retry-After", time.Now().Add(ra).UTC().Format(http.TimeFormat))
		} else {
			w.Header().Set("Retry-After", fmt.Sprint(int64((ra+time.Second-1)/time.Second)))
		}
		reply(w, http.StatusTooManyRequests, apiAnswer{Code: CodeThrottled, Message: "too many requests"})
		return http.StatusTooManyRequests
	case roll < p.TimeoutRate+p.DropRate+p.ErrorRate+p.ThrottleRate+p.SoftRejectRate:
		s.stats.softRejected.Add(1)
		reply(w, http.StatusOK, apiAnswer{Code: CodeOutOfStock, Message: "out of stock"})
		return http.StatusOK
	}
	if key == "" {
		s.stats.badRequests.Add(1)
		reply(w, http.StatusBadRequest, apiAnswer{Code: CodeMissingIdemKey, Message: "Idempotency-Key header is required"})
		return http.StatusBadRequest
	}
	if len(body) > supplier.MaxBodyBytes {
		s.stats.badRequests.Add(1)
		reply(w, http.StatusRequestEntityTooLarge, apiAnswer{Code: CodeBadRequest, Message: "body too large"})
		return http.StatusRequestEntityTooLarge
	}
	sub, err := s.opts.Parse(body)
	if err != nil {
		s.stats.badRequests.Add(1)
		reply(w, http.StatusBadRequest, apiAnswer{Code: CodeBadRequest, Message: "malformed order"})
		return http.StatusBadRequest
	}
	if s.known != nil {
		for _, sku := range sub.SKUs {
			if !s.known[sku] {
				s.stats.rejected.Add(1)
				reply(w, s.opts.RejectStatus, apiAnswer{Code: CodeUnknownSKU, Message: "unknown sku " + truncateSKU(sku)})
				return s.opts.RejectStatus
			}
		}
	}
	now := time.Now()
	out := s.ledger.accept(key, sub.Lines, sub.CallbackURL, now, p.ShipDelay)
	id := s.ledger.orderID(out.seq)
	switch {
	case out.conflict:
		s.stats.keyConflicts.Add(1)
		reply(w, http.StatusUnprocessableEntity, apiAnswer{Code: CodeKeyConflict, Message: "Idempotency-Key reused for another order"})
		return http.StatusUnprocessableEntity
	case out.replay:
		s.stats.replays.Add(1)
		w.Header().Set("Idempotent-Replayed", "true")
	default:
		s.stats.accepted.Add(1)
		s.stats.duplicates.Add(uint64(out.duplicates))
		if sub.CallbackURL != "" && p.ShipDelay >= 0 {
			s.shipper.schedule(p.ShipDelay, s.callbackFor(out.seq, id, key, sub.CallbackURL, now.Add(p.ShipDelay)))
		}
	}
	if roll < p.TimeoutRate { // TimeoutAfterAccept
		s.stats.timeouts.Add(1)
		return s.hang(w, r)
	}
	reply(w, http.StatusOK, apiAnswer{Code: CodeOK, Message: "accepted", OrderID: id, Data: map[string]string{"orderId": id}})
	return http.StatusOK
}

func truncateSKU(s string) string {
	if len(s) > 64 {
		return s[:64]
	}
	return s
}

// sleep waits the profile's latency; false when the client went away.
func (s *Server) sleep(ctx context.Context, p *Profile) bool {
	d := p.Latency
	if p.Jitter > 0 {
		d += rand.N(p.Jitter)
	}
	if d <= 0 {
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	case <-s.done:
		return false
	}
}

// hang holds the request until the client gives up or the server stops (then the
// connection is closed without an answer), or HangLimit passes (then it answers 504).
func (s *Server) hang(w http.ResponseWriter, r *http.Request) int {
	t := time.NewTimer(s.opts.HangLimit)
	defer t.Stop()
	select {
	case <-r.Context().Done():
		panic(http.ErrAbortHandler)
	case <-s.release:
		panic(http.ErrAbortHandler)
	case <-t.C:
	}
	reply(w, http.StatusGatewayTimeout, apiAnswer{Code: CodeInternal, Message: "timed out"})
	return http.StatusGatewayTimeout
}

// authorized checks the request against Options.Auth.
func (s *Server) authorized(r *http.Request, body []byte) bool {
	a := s.opts.Auth
	switch a.Type {
	case "", config.HTTPAuthNone:
		return true
	case config.HTTPAuthBearer:
		return constEq(r.Header.Get("Authorization"), "Bearer "+a.Token)
	case config.HTTPAuthBasic:
		u, pw, ok := r.BasicAuth()
		return ok && constEq(u, a.Username) && constEq(pw, a.Password)
	case config.HTTPAuthAPIKey:
		h := a.HeaderName
		if h == "" {
			h = "X-API-Key"
		}
		return constEq(r.Header.Get(h), a.APIKey)
	case config.HTTPAuthHMAC:
		return supplier.VerifyRequest([]byte(a.HMACSecret), r.Header, r.Method, r.URL.RequestURI(), body, time.Now()) == nil
	}
	return false
}

// statusAnswer is GET /v1/orders/{id}'s data.
type statusAnswer struct {
	OrderID        string    `json:"orderId"`
	IdempotencyKey string    `json:"idempotencyKey"`
	Status         string    `json:"status"`
	TrackingNo     string    `json:"trackingNo,omitempty"`
	Carrier        string    `json:"carrier,omitempty"`
	ShippedAt      time.Time `json:"shippedAt,omitzero"`
}

// Order statuses the status endpoint reports.
const (
	StatusAccepted = "ACCEPTED"
	StatusShipped  = "SHIPPED"
)

func (s *Server) handleStatus(w http.ResponseWriter, r *http.Request) {
	s.stats.statusQueries.Add(1)
	if !s.authorized(r, nil) {
		s.stats.authFailures.Add(1)
		reply(w, http.StatusUnauthorized, apiAnswer{Code: CodeUnauthorized, Message: "unauthorized"})
		return
	}
	if !s.sleep(r.Context(), s.profile.Load()) {
		panic(http.ErrAbortHandler)
	}
	var seq uint32
	var ok bool
	if id := r.PathValue("id"); id != "" {
		seq, ok = s.ledger.seqOf(id)
	} else if key := r.URL.Query().Get("idempotencyKey"); key != "" {
		seq, ok = s.ledger.byIdempotencyKey(key)
	}
	var e Entry
	if ok {
		e, _, ok = s.ledger.entry(seq)
	}
	if !ok {
		reply(w, http.StatusNotFound, apiAnswer{Code: 40400, Message: "no such order"})
		return
	}
	a := statusAnswer{OrderID: e.OrderID, IdempotencyKey: e.IdempotencyKey, Status: StatusAccepted}
	if !e.ShipAt.IsZero() && !time.Now().Before(e.ShipAt) {
		a.Status, a.ShippedAt = StatusShipped, e.ShipAt.UTC()
		a.Carrier, a.TrackingNo = s.tracking(seq)
	}
	reply(w, http.StatusOK, apiAnswer{Code: CodeOK, Message: "ok", Data: a})
}

// tracking derives a carrier and a tracking number from the order's sequence number.
func (s *Server) tracking(seq uint32) (carrier, number string) {
	carrier = s.opts.Carriers[int(seq)%len(s.opts.Carriers)]
	return carrier, fmt.Sprintf("%s%s%010d", carrier, s.opts.OrderIDPrefix, seq)
}
