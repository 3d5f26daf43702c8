package supplier

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/dropship-operator/dropship-operator/dispatcher/config"
)

// Limits on what is read from and kept of a supplier's answer.
const (
	// MaxResponseBytes is the most of an answer that is read.
	MaxResponseBytes = 1 << 20
	// MaxKeptResponse is how much of an answer is kept in Result.Response and Error.Response.
	MaxKeptResponse = 2 << 10
	// maxMessage is how much of a supplier's message is kept in Error.Message.
	maxMessage = 256
	// DefaultOrderIDPath is read when the supplier config names no OrderIDPath.
	DefaultOrderIDPath = "orderId"
)

// HTTPOptions are optional knobs of NewHTTP.
type HTTPOptions struct {
	// Client sends the requests; nil builds one with NewTransport sized for the supplier's
	// concurrency cap. Per-attempt timeouts come from contexts, not Client.Timeout.
	Client *http.Client
	// Now is the clock for signatures and Retry-After dates; nil means time.Now.
	Now func() time.Time
}

// HTTP is the HTTP/JSON adapter of one supplier. It is safe for concurrent use.
type HTTP struct {
	name     string
	url      *url.URL
	method   string
	headers  http.Header
	timeout  time.Duration
	render   *renderer
	auth     *authenticator
	accepted *boolExpr
	idPath   string
	msgPath  string
	client   *http.Client
	now      func() time.Time
	poll     *poller
}

var (
	_ Adapter        = (*HTTP)(nil)
	_ ShipmentPoller = (*HTTP)(nil)
)

// NewTransport returns a transport for one supplier host: keep-alives on, idle connections
// kept for maxConcurrent calls in flight, bounded dial and TLS handshake times.
func NewTransport(maxConcurrent int) *http.Transport {
	if maxConcurrent <= 0 {
		maxConcurrent = 16
	}
	return &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          maxConcurrent + 4,
		MaxIdleConnsPerHost:   maxConcurrent + 4,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   5 * time.Second,
		ExpectContinueTimeout: time.Second,
	}
}

// NewClient returns the client NewHTTP uses when HTTPOptions.Client is nil: NewTransport,
// and redirects are not followed — a redirected POST would turn into a GET, and custom
// auth headers (an API key) would follow it to another host. A 3xx answer is Rejected.
func NewClient(maxConcurrent int) *http.Client {
	return &http.Client{
		Transport:     NewTransport(maxConcurrent),
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// CloseIdleConnections closes the adapter's idle keep-alive connections (on shutdown, or
// when the supplier's endpoint changed).
func (a *HTTP) CloseIdleConnections() { a.client.CloseIdleConnections() }

// NewHTTP builds the adapter of a supplier with an HTTP endpoint: it parses the request
// template and compiles the CEL expressions once, reads the catalog's SKU map file (for
// supplier SKUs and prices) and the auth Secret from their mounted files.
func NewHTTP(s config.Supplier, opts HTTPOptions) (*HTTP, error) {
	h := s.HTTP
	if h == nil {
		return nil, fmt.Errorf("cannot build HTTP adapter for supplier %q: it has no http endpoint", s.Name)
	}
	u, err := url.Parse(h.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("cannot build HTTP adapter for supplier %q: url must be absolute http(s)", s.Name)
	}
	a := &HTTP{
		name:    s.Name,
		url:     u,
		method:  strings.ToUpper(h.Request.Method),
		headers: http.Header{},
		timeout: s.Delivery.Timeout.Or(config.DefaultDeliveryTimeout),
		idPath:  h.Response.OrderIDPath,
		msgPath: h.Response.MessagePath,
		client:  opts.Client,
		now:     opts.Now,
	}
	if a.method == "" {
		a.method = http.MethodPost
	}
	if a.idPath == "" {
		a.idPath = DefaultOrderIDPath
	}
	if a.msgPath == "" {
		a.msgPath = "message"
	}
	for k, v := range h.Headers {
		a.headers.Set(k, v)
	}
	if a.now == nil {
		a.now = time.Now
	}
	if a.client == nil {
		a.client = NewClient(s.Capacity.MaxConcurrent)
	}
	cat, err := s.Catalog.Resolve() // the mounted SKU map, merged over the inline SKUs
	if err != nil {
		return nil, fmt.Errorf("cannot build HTTP adapter for supplier %q: %w", s.Name, err)
	}
	if a.render, err = newRenderer(s.Name, h.Request.Template, cat, s.Capacity.Timezone); err != nil {
		return nil, err
	}
	if err := a.render.check(cat); err != nil {
		return nil, err
	}
	if a.auth, err = newAuthenticator(h.Auth, a.now()); err != nil {
		return nil, fmt.Errorf("cannot build HTTP adapter for supplier %q: %w", s.Name, err)
	}
	if a.accepted, err = compileBool(h.Response.AcceptedWhen); err != nil {
		return nil, fmt.Errorf("cannot build HTTP adapter for supplier %q: acceptedWhen: %w", s.Name, err)
	}
	if h.Shipments.Mode == config.ShipmentsPoll {
		if a.poll, err = newPoller(h.Shipments); err != nil {
			return nil, fmt.Errorf("cannot build HTTP adapter for supplier %q: %w", s.Name, err)
		}
	}
	return a, nil
}

// Name is the supplier's name.
func (a *HTTP) Name() string { return a.name }

// Submit renders the order, sends it with the Idempotency-Key header within one
// per-attempt timeout and classifies the answer: 2xx with acceptedWhen true is accepted;
// 2xx with acceptedWhen false (or an answer it cannot evaluate), 3xx and 4xx other than
// 408 and 429 are Rejected; 429 is Throttled with Retry-After; 408, 5xx and transport
// failures are Transient. docs/supplier-http.md has the details.
func (a *HTTP) Submit(ctx context.Context, req Request) (Result, error) {
	res, err := a.submit(ctx, req)
	if req.Order != nil { // suppliers echo addresses and phones back; keep them out of logs
		res.Response = scrubPII(res.Response, req.Order)
		var e *Error
		if errors.As(err, &e) {
			e.Message, e.Response = scrubPII(e.Message, req.Order), scrubPII(e.Response, req.Order)
		}
	}
	return res, err
}

func (a *HTTP) submit(ctx context.Context, req Request) (Result, error) {
	body, err := a.render.Render(req)
	if err != nil {
		return Result{}, err
	}
	ans, err := a.do(ctx, a.method, a.url, body, req.IdempotencyKey)
	if err != nil {
		return Result{}, err
	}
	res := Result{Response: ans.kept}
	if ans.status < 200 || ans.status > 299 {
		return res, ans.classify(a.msgPath, a.now())
	}
	if a.accepted != nil && ans.jsonErr != nil {
		return res, &Error{Kind: Rejected, StatusCode: ans.status, Message: "answer is not JSON", Response: ans.kept, Err: ans.jsonErr}
	}
	if a.accepted != nil {
		ok, err := a.accepted.Eval(ans.body)
		if err != nil {
			return res, &Error{Kind: Rejected, StatusCode: ans.status, Message: "acceptedWhen failed", Response: ans.kept, Err: err}
		}
		if !ok {
			return res, &Error{Kind: Rejected, StatusCode: ans.status, Message: ans.message(a.msgPath, "not accepted"), Response: ans.kept}
		}
	}
	res.SupplierOrderID = stringAt(ans.body, a.idPath)
	return res, nil
}

// answer is a read supplier answer.
type answer struct {
	status  int
	header  http.Header
	kept    string
	body    any
	jsonErr error
}

func (a *HTTP) do(ctx context.Context, method string, u *url.URL, body []byte, key string) (*answer, error) {
	ctx, cancel := context.WithTimeout(ctx, a.timeout)
	defer cancel()
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	r, err := http.NewRequestWithContext(ctx, method, u.String(), rd)
	if err != nil {
		return nil, &Error{Kind: Rejected, Message: "cannot build request", Err: err}
	}
	for k, v := range a.headers {
		r.Header[k] = v
	}
	if body != nil {
		r.Header.Set("Content-Type", "application/json")
	}
	r.Header.Set("Accept", "application/json")
	if key != "" {
		r.Header.Set(HeaderIdempotencyKey, key)
	}
	a.auth.apply(r, body, a.now())
	resp, err := a.client.Do(r)
	if err != nil {
		return nil, &Error{Kind: Transient, Message: transportMessage(err), Err: redactURL(err)}
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, MaxResponseBytes))
	if err != nil {
		return nil, &Error{Kind: Transient, StatusCode: resp.StatusCode, Message: "cannot read answer: " + transportMessage(err), Err: redactURL(err)}
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10)) // let the connection be reused
	ans := &answer{status: resp.StatusCode, header: resp.Header, kept: truncate(string(raw), MaxKeptResponse)}
	if len(bytes.TrimSpace(raw)) > 0 {
		ans.body, ans.jsonErr = decodeJSON(raw)
	} else {
		ans.jsonErr = errors.New("empty answer")
	}
	return ans, nil
}

func (ans *answer) message(path, def string) string {
	if m := stringAt(ans.body, path); m != "" {
		return truncate(m, maxMessage)
	}
	return def
}
