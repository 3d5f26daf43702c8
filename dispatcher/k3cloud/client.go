package k3cloud

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/time/rate"

	"github.com/dropship-operator/dropship-operator/dispatcher/config"
)

// Service names (reference §1.2). The URL of a call is the site root, the service name and
// ".common.kdsvc".
const (
	SvcValidateUser     = "Kingdee.BOS.WebApi.ServicesStub.AuthService.ValidateUser"
	SvcLoginByAppSecret = "Kingdee.BOS.WebApi.ServicesStub.AuthService.LoginByAppSecret"
	SvcLoginBySign      = "Kingdee.BOS.WebApi.ServicesStub.AuthService.LoginBySign"
	SvcLogout           = "Kingdee.BOS.WebApi.ServicesStub.AuthService.Logout"
	SvcExecuteBillQuery = "Kingdee.BOS.WebApi.ServicesStub.DynamicFormService.ExecuteBillQuery"
	SvcBillQuery        = "Kingdee.BOS.WebApi.ServicesStub.DynamicFormService.BillQuery"
	SvcView             = "Kingdee.BOS.WebApi.ServicesStub.DynamicFormService.View"
	SvcSave             = "Kingdee.BOS.WebApi.ServicesStub.DynamicFormService.Save"
	SvcBatchSave        = "Kingdee.BOS.WebApi.ServicesStub.DynamicFormService.BatchSave"
	SvcDraft            = "Kingdee.BOS.WebApi.ServicesStub.DynamicFormService.Draft"
	SvcSubmit           = "Kingdee.BOS.WebApi.ServicesStub.DynamicFormService.Submit"
	SvcAudit            = "Kingdee.BOS.WebApi.ServicesStub.DynamicFormService.Audit"
	SvcUnAudit          = "Kingdee.BOS.WebApi.ServicesStub.DynamicFormService.UnAudit"
	SvcDelete           = "Kingdee.BOS.WebApi.ServicesStub.DynamicFormService.Delete"
	SvcExcuteOperation  = "Kingdee.BOS.WebApi.ServicesStub.DynamicFormService.ExcuteOperation"
)

// SessionCookie is the K3Cloud session cookie; ASPNETSessionCookie comes with it.
const (
	SessionCookie       = "kdservice-sessionid"
	ASPNETSessionCookie = "ASP.NET_SessionId"
)

// Credentials are read from the mounted Secret (keys in config.K3CloudSecretKeys). They
// never appear in logs or errors.
type Credentials struct {
	Username  string
	Password  string
	AppID     string
	AppSecret string
}

// ReadCredentials reads the keys the auth mode needs from dir/<key>. Trailing newlines are
// trimmed (Secrets written by hand often end in one).
func ReadCredentials(dir string, mode config.K3CloudAuthMode) (Credentials, error) {
	var c Credentials
	for _, key := range config.K3CloudSecretKeys(mode) {
		b, err := os.ReadFile(filepath.Join(dir, key))
		if err != nil {
			return Credentials{}, fmt.Errorf("cannot read K3Cloud credential %q: %w", key, err)
		}
		v := strings.TrimRight(string(b), "\r\n")
		if v == "" {
			return Credentials{}, fmt.Errorf("cannot use K3Cloud credential %q: it is empty", key)
		}
		switch key {
		case config.SecretKeyUsername:
			c.Username = v
		case config.SecretKeyPassword:
			c.Password = v
		case config.SecretKeyAppID:
			c.AppID = v
		case config.SecretKeyAppSecret:
			c.AppSecret = v
		}
	}
	return c, nil
}

// Options tune a Client beyond what the connection config says.
type Options struct {
	// OrgNum goes into X-Kd-Appdata in Signature mode; the server ignores it. Default "0".
	OrgNum string
	// Now is the clock used for signatures; time.Now by default.
	Now func() time.Time
	// Burst of the rate limiter; default MaxConcurrent.
	Burst int
}

// Client calls one K3Cloud site as one integration user. It is safe for concurrent use;
// calls beyond MaxConcurrent wait, and calls are paced to RatePerSecond.
type Client struct {
	base  *url.URL
	conn  config.K3CloudConnection
	creds Credentials
	opts  Options
	hc    *http.Client
	sem   chan struct{}
	lim   *rate.Limiter

	mu       sync.Mutex // guards the fields below and serialises logins
	jar      http.CookieJar
	loggedIn bool
	gen      int64 // increases with every login or dropped session
	sha1     bool  // LoginBySign fell back to SHA-1

	calls atomic.Int64
}

// New builds a Client from the connection config, reading the credentials from the mounted
// directory conn.Auth.CredentialsDir.
func New(conn config.K3CloudConnection, opts Options) (*Client, error) {
	creds, err := ReadCredentials(conn.Auth.CredentialsDir, authMode(conn))
	if err != nil {
		return nil, fmt.Errorf("cannot create K3Cloud client for %q: %w", conn.URL, err)
	}
	return NewWithCredentials(conn, creds, opts)
}

// NewWithCredentials builds a Client with credentials already read.
func NewWithCredentials(conn config.K3CloudConnection, creds Credentials, opts Options) (*Client, error) {
	u, err := url.Parse(conn.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("cannot create K3Cloud client for %q: the URL must be http(s)://host/vdir/", conn.URL)
	}
	if !strings.HasSuffix(u.Path, "/") {
		u.Path += "/"
	}
	u.RawQuery, u.Fragment = "", ""
	if conn.LCID == 0 {
		conn.LCID = config.DefaultLCID
	}
	if conn.Timeout.Duration <= 0 {
		conn.Timeout = config.D(config.DefaultERPTimeout)
	}
	if conn.MaxConcurrent <= 0 {
		conn.MaxConcurrent = config.DefaultERPConcurrency
	}
	if conn.RatePerSecond <= 0 {
		conn.RatePerSecond = config.DefaultERPRate
	}
	conn.Auth.Mode = authMode(conn)
	switch conn.Auth.Mode {
	case config.K3CloudAuthPassword:
		if creds.Username == "" || creds.Password == "" {
			return nil, fmt.Errorf("cannot create K3Cloud client for %q: mode Password needs username and password", conn.URL)
		}
	case config.K3CloudAuthSignature, config.K3CloudAuthAppSecret, config.K3CloudAuthSign:
		if creds.Username == "" || creds.AppID == "" || creds.AppSecret == "" {
			return nil, fmt.Errorf("cannot create K3Cloud client for %q: mode %s needs username, appID and appSecret", conn.URL, conn.Auth.Mode)
		}
	default:
		return nil, fmt.Errorf("cannot create K3Cloud client for %q: unknown auth mode %q", conn.URL, conn.Auth.Mode)
	}
	if opts.OrgNum == "" {
		opts.OrgNum = "0"
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Burst <= 0 {
		opts.Burst = conn.MaxConcurrent
	}
	c := &Client{
		base: u, conn: conn, creds: creds, opts: opts,
		sem: make(chan struct{}, conn.MaxConcurrent),
		lim: rate.NewLimiter(rate.Limit(conn.RatePerSecond), opts.Burst),
	}
	c.hc = &http.Client{Transport: newTransport(conn), Timeout: conn.Timeout.Duration}
	c.jar = newJar()
	return c, nil
}

func authMode(conn config.K3CloudConnection) config.K3CloudAuthMode {
	if conn.Auth.Mode == "" {
		return config.K3CloudAuthSignature
	}
	return conn.Auth.Mode
}

// newTransport forces HTTP/1.1: at least one K3Cloud deployment fails over HTTP/2.
func newTransport(conn config.K3CloudConnection) *http.Transport {
	return &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           (&net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		ForceAttemptHTTP2:     false,
		TLSNextProto:          map[string]func(string, *tls.Conn) http.RoundTripper{},
		MaxIdleConns:          conn.MaxConcurrent * 2,
		MaxIdleConnsPerHost:   conn.MaxConcurrent,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   10 * time.Second,
		ResponseHeaderTimeout: conn.Timeout.Duration,
	}
}

func newJar() http.CookieJar {
	j, _ := cookiejar.New(nil) // never fails without options
	return j
}

// Calls is how many HTTP requests the client sent (logins included).
func (c *Client) Calls() int64 { return c.calls.Load() }

// Mode is the authentication mode in use.
func (c *Client) Mode() config.K3CloudAuthMode { return c.conn.Auth.Mode }

// URL is the site root the client calls.
func (c *Client) URL() string { return c.base.String() }

// callKind says whether a call may be repeated after the session was lost.
type callKind int

const (
	readCall callKind = iota
	writeCall
)

// shortName is the last dotted part of a service name ("Save").
func shortName(service string) string {
	if i := strings.LastIndexByte(service, '.'); i >= 0 {
		return service[i+1:]
	}
	return service
}

// invoke sends one call with the positional envelope and hands the body to decode. A
// session loss is answered by a new session and, for reads only, a single retry.
func (c *Client) invoke(ctx context.Context, service string, params []any, kind callKind, decode func([]byte) error) error {
	body, err := json.Marshal(map[string]any{"parameters": params})
	if err != nil {
		return fmt.Errorf("cannot encode %s request: %w", shortName(service), err)
	}
	for attempt := 0; ; attempt++ {
		gen, jar, err := c.ensureSession(ctx)
		if err != nil {
			return err
		}
		raw, err := c.post(ctx, service, body, jar)
		if err == nil {
			err = decode(raw)
		}
		if !errors.Is(err, ErrSessionLost) {
			return err
		}
		c.dropSession(gen)
		if kind != readCall || attempt > 0 {
			return err
		}
	}
}

// ensureSession logs in (login modes) when there is no session, and returns the session
// generation the call runs under.
func (c *Client) ensureSession(ctx context.Context) (int64, http.CookieJar, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.loggedIn || c.conn.Auth.Mode == config.K3CloudAuthSignature {
		return c.gen, c.jar, nil
	}
	if err := c.loginLocked(ctx); err != nil {
		return c.gen, c.jar, err
	}
	c.loggedIn = true
	c.gen++
	return c.gen, c.jar, nil
}

// dropSession forgets the session the failed call ran under (unless another call already
// replaced it): the cookies are thrown away, and login modes log in again on the next call.
func (c *Client) dropSession(gen int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if gen != c.gen {
		return
	}
	c.loggedIn = false
	c.gen++
	c.jar = newJar()
}

// Login forces a new session now (login modes); in Signature mode it drops the cookies so
// the next call is authenticated by its signature headers.
func (c *Client) Login(ctx context.Context) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.jar = newJar()
	c.loggedIn = false
	c.gen++
	if c.conn.Auth.Mode == config.K3CloudAuthSignature {
		return nil
	}
	if err := c.loginLocked(ctx); err != nil {
		return err
	}
	c.loggedIn = true
	return nil
}

// post sends one request, waiting for the concurrency cap and the rate limiter, and returns
// the body of a 200/206 answer.
func (c *Client) post(ctx context.Context, service string, body []byte, jar http.CookieJar) ([]byte, error) {
	select {
	case c.sem <- struct{}{}:
	case <-ctx.Done():
		return nil, fmt.Errorf("cannot call %s: %w", shortName(service), ctx.Err())
	}
	defer func() { <-c.sem }()
	if err := c.lim.Wait(ctx); err != nil {
		return nil, fmt.Errorf("cannot call %s: %w", shortName(service), err)
	}
	u := c.base.String() + service + ".common.kdsvc"
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("cannot call %s: %w", shortName(service), err)
	}
	req.Header.Set("Content-Type", "application/json;charset=UTF-8")
	req.Header.Set("User-Agent", "dropship-operator k3cloud")
	if c.conn.Auth.Mode == config.K3CloudAuthSignature && !strings.Contains(service, ".AuthService.") {
		c.sign(req)
	}
	for _, ck := range jar.Cookies(c.base) {
		if ck.Name == SessionCookie {
			req.Header.Set(SessionCookie, ck.Value)
			req.Header.Set("SID", ck.Value)
		}
	}
	hc := *c.hc
	hc.Jar = jar
	c.calls.Add(1)
	resp, err := hc.Do(req)
	if err != nil {
		return nil, fmt.Errorf("cannot call %s: %w", shortName(service), err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 256<<20))
	if err != nil {
		return nil, fmt.Errorf("cannot read %s answer: %w", shortName(service), err)
	}
	if resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusPartialContent {
		return nil, &Error{Service: shortName(service), HTTPStatus: resp.StatusCode, Message: snippet(raw), kind: ErrHTTP}
	}
	if bytes.HasPrefix(bytes.TrimSpace(raw), []byte("response_error:")) {
		return nil, responseError(shortName(service), raw)
	}
	return raw, nil
}

func (c *Client) sign(req *http.Request) {
	ts := strconv.FormatInt(c.opts.Now().UnixMilli(), 10)
	var nb [16]byte
	_, _ = rand.Read(nb[:])
	h := SignatureHeaders(SignatureInput{
		Path: req.URL.EscapedPath(), AppID: c.creds.AppID, AppSecret: c.creds.AppSecret,
		AcctID: c.conn.AcctID, Username: c.creds.Username, LCID: strconv.Itoa(c.conn.LCID),
		OrgNum: c.opts.OrgNum, Nonce: hex.EncodeToString(nb[:]), Timestamp: ts,
	})
	for k, v := range h {
		req.Header.Set(k, v)
	}
}

func responseError(service string, raw []byte) *Error {
	rest := bytes.TrimPrefix(bytes.TrimSpace(raw), []byte("response_error:"))
	var ex struct {
		Message LooseString `json:"Message"`
	}
	msg := snippet(rest)
	if json.Unmarshal(rest, &ex) == nil && ex.Message != "" {
		msg = string(ex.Message)
	}
	return &Error{Service: service, MsgCode: MsgException, Message: msg, kind: ErrException}
}

func snippet(b []byte) string {
	s := strings.TrimSpace(string(b))
	if r := []rune(s); len(r) > 200 {
		s = string(r[:200]) + "…"
	}
	return s
}
