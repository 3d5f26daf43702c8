package supplier

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/dropship-operator/dropship-operator/dispatcher/config"
)

// Headers of the HMAC-SHA256 scheme, used both for requests to suppliers (auth type HMAC)
// and for shipment callbacks from suppliers.
const (
	HeaderTimestamp = "X-Dropship-Timestamp"
	HeaderSignature = "X-Dropship-Signature"
	// HeaderIdempotencyKey is sent with every call to a supplier.
	HeaderIdempotencyKey = "Idempotency-Key"
	// SignaturePrefix precedes the hex signature in HeaderSignature.
	SignaturePrefix = "sha256="
)

// MaxClockSkew is how far a signed timestamp may be from the verifier's clock.
const MaxClockSkew = 5 * time.Minute

// Signature verification errors; compare with errors.Is.
var (
	ErrSignatureMissing  = errors.New("signature or timestamp header missing")
	ErrSignatureMismatch = errors.New("signature does not match")
	ErrTimestampStale    = errors.New("timestamp outside the allowed clock skew")
)

// RequestSigningString is what the HMAC auth type signs:
//
//	timestamp + "\n" + METHOD + "\n" + requestURI + "\n" + hex(sha256(body))
//
// where timestamp is Unix seconds (the X-Dropship-Timestamp header) and requestURI is the
// path and query exactly as sent ("/v1/orders?x=1").
func RequestSigningString(timestamp, method, requestURI string, body []byte) string {
	sum := sha256.Sum256(body)
	return timestamp + "\n" + strings.ToUpper(method) + "\n" + requestURI + "\n" + hex.EncodeToString(sum[:])
}

// Sign returns "sha256=" + hex(HMAC-SHA256(secret, msg)).
func Sign(secret []byte, msg string) string {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(msg))
	return SignaturePrefix + hex.EncodeToString(m.Sum(nil))
}

// SignRequest sets X-Dropship-Timestamp and X-Dropship-Signature on an outgoing request.
func SignRequest(h http.Header, secret []byte, method, requestURI string, body []byte, now time.Time) {
	ts := strconv.FormatInt(now.Unix(), 10)
	h.Set(HeaderTimestamp, ts)
	h.Set(HeaderSignature, Sign(secret, RequestSigningString(ts, method, requestURI, body)))
}

// VerifyRequest checks the signature SignRequest made; the simulator uses it.
func VerifyRequest(secret []byte, h http.Header, method, requestURI string, body []byte, now time.Time) error {
	return verify(secret, h, now, func(ts string) string { return RequestSigningString(ts, method, requestURI, body) })
}

func verify(secret []byte, h http.Header, now time.Time, msg func(ts string) string) error {
	ts, sig := h.Get(HeaderTimestamp), h.Get(HeaderSignature)
	if ts == "" || sig == "" {
		return ErrSignatureMissing
	}
	secs, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return fmt.Errorf("cannot parse timestamp: %w", ErrTimestampStale)
	}
	skew := now.Sub(time.Unix(secs, 0))
	if skew > MaxClockSkew || skew < -MaxClockSkew {
		return ErrTimestampStale
	}
	want := Sign(secret, msg(ts))
	if !hmac.Equal([]byte(want), []byte(sig)) {
		return ErrSignatureMismatch
	}
	return nil
}

// authenticator sets credentials on a request.
type authenticator struct {
	typ     config.HTTPAuthType
	header  string
	secrets *secretSet
}

// SecretRecheck is how often a mounted Secret is checked for changes. Kubernetes updates
// mounted Secrets in place, so a rotated token is picked up without a restart.
const SecretRecheck = 30 * time.Second

// secretSet holds the keys of a mounted Secret and re-reads them when their files change.
// A failed re-read keeps the previous values (a half-written update is retried later).
type secretSet struct {
	dir  string
	keys []string
	mu   sync.Mutex
	vals map[string]string
	// stamp is every file's modification time and size; next is the next check.
	stamp string
	next  time.Time
}

func newSecretSet(dir string, keys []string, now time.Time) (*secretSet, error) {
	s := &secretSet{dir: dir, keys: keys}
	vals, stamp, err := s.read()
	if err != nil {
		return nil, err
	}
	s.vals, s.stamp, s.next = vals, stamp, now.Add(SecretRecheck)
	return s, nil
}

func (s *secretSet) read() (map[string]string, string, error) {
	stamp := s.stampOf()
	vals := make(map[string]string, len(s.keys))
	for _, k := range s.keys {
		v, err := ReadSecret(s.dir, k)
		if err != nil {
			return nil, "", err
		}
		vals[k] = v
	}
	return vals, stamp, nil
}

// stampOf identifies the files' current versions by modification time and size.
func (s *secretSet) stampOf() string {
	var stamp strings.Builder
	for _, k := range s.keys {
		if fi, err := os.Stat(filepath.Join(s.dir, k)); err == nil {
			fmt.Fprintf(&stamp, "%d/%d;", fi.ModTime().UnixNano(), fi.Size())
		}
	}
	return stamp.String()
}

// get returns the current values, re-reading them when due and changed.
func (s *secretSet) get(now time.Time) map[string]string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if now.Before(s.next) {
		return s.vals
	}
	s.next = now.Add(SecretRecheck)
	if s.stampOf() == s.stamp {
		return s.vals
	}
	if vals, st, err := s.read(); err == nil {
		s.vals, s.stamp = vals, st
	}
	return s.vals
}

// ReadSecret reads key from a mounted Secret directory, dropping one trailing newline
// (editors and `echo` add one). The error names the file, never its content.
func ReadSecret(dir, key string) (string, error) {
	p := filepath.Join(dir, key)
	b, err := os.ReadFile(p)
	if err != nil {
		return "", fmt.Errorf("cannot read secret key %q: %w", p, err)
	}
	s := strings.TrimSuffix(strings.TrimSuffix(string(b), "\n"), "\r")
	if s == "" {
		return "", fmt.Errorf("cannot use secret key %q: it is empty", p)
	}
	return s, nil
}

func newAuthenticator(a config.HTTPAuth, now time.Time) (*authenticator, error) {
	au := &authenticator{typ: a.Type, header: a.HeaderName}
	switch a.Type {
	case "", config.HTTPAuthNone:
		au.typ = config.HTTPAuthNone
		return au, nil
	case config.HTTPAuthBearer, config.HTTPAuthBasic, config.HTTPAuthHMAC:
	case config.HTTPAuthAPIKey:
		if au.header == "" {
			au.header = "X-API-Key"
		}
	default:
		return nil, fmt.Errorf("cannot use auth type %q: want None, Bearer, Basic, APIKey or HMAC", a.Type)
	}
	set, err := newSecretSet(a.SecretDir, config.HTTPSecretKeys(a.Type), now)
	if err != nil {
		return nil, err
	}
	au.secrets = set
	return au, nil
}

// apply authenticates r, whose body is body.
func (a *authenticator) apply(r *http.Request, body []byte, now time.Time) {
	if a.typ == config.HTTPAuthNone {
		return
	}
	v := a.secrets.get(now)
	switch a.typ {
	case config.HTTPAuthBearer:
		r.Header.Set("Authorization", "Bearer "+v[config.SecretKeyToken])
	case config.HTTPAuthBasic:
		r.SetBasicAuth(v[config.SecretKeyUsername], v[config.SecretKeyPassword])
	case config.HTTPAuthAPIKey:
		r.Header.Set(a.header, v[config.SecretKeyAPIKey])
	case config.HTTPAuthHMAC:
		SignRequest(r.Header, []byte(v[config.SecretKeyHMACSecret]), r.Method, r.URL.RequestURI(), body, now)
	}
}
