package k3cloud

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"strconv"
	"strings"
	"time"

	"github.com/dropship-operator/dropship-operator/dispatcher/config"
)

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
