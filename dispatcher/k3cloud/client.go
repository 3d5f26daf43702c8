package k3cloud

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
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
