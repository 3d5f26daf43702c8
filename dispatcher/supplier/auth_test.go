package supplier_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dropship-operator/dropship-operator/dispatcher/config"
	"github.com/dropship-operator/dropship-operator/dispatcher/supplier"
	"github.com/dropship-operator/dropship-operator/dispatcher/supplier/suppliertest"
)

// secretDir writes a mounted-Secret-like directory (values with a trailing newline, as
// `kubectl create secret --from-file` of an echo'd file would hold).
func secretDir(t *testing.T, kv map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for k, v := range kv {
		if err := os.WriteFile(filepath.Join(dir, k), []byte(v+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestAuthAgainstSimulator(t *testing.T) {
	cases := map[string]struct {
		auth     suppliertest.Auth
		cfg      config.HTTPAuth
		secrets  map[string]string
		wrong    map[string]string
		wantKind supplier.Kind
	}{
		"Bearer": {
			auth: suppliertest.Auth{Type: config.HTTPAuthBearer, Token: "tok-123"},
			cfg:  config.HTTPAuth{Type: config.HTTPAuthBearer}, secrets: map[string]string{"token": "tok-123"}, wrong: map[string]string{"token": "tok-999"},
		},
		"Basic": {
			auth: suppliertest.Auth{Type: config.HTTPAuthBasic, Username: "dropship", Password: "pa:ss"},
			cfg:  config.HTTPAuth{Type: config.HTTPAuthBasic}, secrets: map[string]string{"username": "dropship", "password": "pa:ss"},
			wrong: map[string]string{"username": "dropship", "password": "nope"},
		},
		"APIKey custom header": {
			auth: suppliertest.Auth{Type: config.HTTPAuthAPIKey, APIKey: "k-1", HeaderName: "X-Supplier-Key"},
			cfg:  config.HTTPAuth{Type: config.HTTPAuthAPIKey, HeaderName: "X-Supplier-Key"}, secrets: map[string]string{"apiKey": "k-1"},
			wrong: map[string]string{"apiKey": "k-2"},
		},
		"HMAC": {
			auth: suppliertest.Auth{Type: config.HTTPAuthHMAC, HMACSecret: "s3cret"},
			cfg:  config.HTTPAuth{Type: config.HTTPAuthHMAC}, secrets: map[string]string{"hmacSecret": "s3cret"},
			wrong: map[string]string{"hmacSecret": "other"},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			srv := suppliertest.Start(t, suppliertest.Options{Auth: tc.auth})
			build := func(secrets map[string]string) supplier.Adapter {
				cfg := tc.cfg
				cfg.SecretDir = secretDir(t, secrets)
				a, err := supplier.NewHTTP(config.Supplier{Name: "s", HTTP: &config.HTTPEndpoint{URL: srv.OrdersURL() + "?tenant=7", Auth: cfg}}, supplier.HTTPOptions{})
				if err != nil {
					t.Fatalf("NewHTTP: %v", err)
				}
				return a
			}
			req := suppliertest.ConformanceOrder("AUTH-1")
			if _, err := build(tc.secrets).Submit(context.Background(), supplier.Request{Order: req, IdempotencyKey: "k1"}); err != nil {
				t.Fatalf("Submit with the right credentials: %v", err)
			}
			_, err := build(tc.wrong).Submit(context.Background(), supplier.Request{Order: req, IdempotencyKey: "k2"})
			var se *supplier.Error
			if !errors.As(err, &se) || se.Kind != supplier.Rejected || se.StatusCode != http.StatusUnauthorized {
				t.Fatalf("Submit with wrong credentials: err = %v, want Rejected 401", err)
			}
			for _, v := range tc.wrong {
				if strings.Contains(err.Error(), v) {
					t.Errorf("error %q reveals the secret", err)
				}
			}
			if st := srv.Stats(); st.Accepted != 1 || st.AuthFailures != 1 {
				t.Errorf("accepted/authFailures = %d/%d, want 1/1", st.Accepted, st.AuthFailures)
			}
		})
	}
}

func TestNewHTTPRefusesMissingSecret(t *testing.T) {
	_, err := supplier.NewHTTP(config.Supplier{Name: "s", HTTP: &config.HTTPEndpoint{URL: "http://127.0.0.1:1/x",
		Auth: config.HTTPAuth{Type: config.HTTPAuthBasic, SecretDir: secretDir(t, map[string]string{"username": "u"})}}}, supplier.HTTPOptions{})
	if !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("err = %v, want one wrapping os.ErrNotExist", err)
	}
}

// TestRequestWireFormat checks what goes on the wire against values computed here, not by
// the package's own signing code.
func TestRequestWireFormat(t *testing.T) {
	type seen struct {
		method, uri string
		header      http.Header
		body        []byte
	}
	got := make(chan seen, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got <- seen{r.Method, r.RequestURI, r.Header.Clone(), b}
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"result":{"ok":"yes","po":"PO-9"}}`)
	}))
	defer srv.Close()
	now := time.Unix(1795000000, 0)
	a, err := supplier.NewHTTP(config.Supplier{Name: "s", HTTP: &config.HTTPEndpoint{
		URL:      srv.URL + "/api/orders?v=2",
		Auth:     config.HTTPAuth{Type: config.HTTPAuthHMAC, SecretDir: secretDir(t, map[string]string{"hmacSecret": "k"})},
		Request:  config.HTTPRequest{Method: "PUT", Template: `{"bill":{{json .Order.BillNo}}}`},
		Response: config.HTTPResponse{OrderIDPath: "result.po", AcceptedWhen: `result.ok == "yes"`},
		Headers:  map[string]string{"X-Tenant": "acme"},
	}}, supplier.HTTPOptions{Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	res, err := a.Submit(context.Background(), supplier.Request{Order: suppliertest.ConformanceOrder("B-1"), IdempotencyKey: "dso-abc"})
	if err != nil {
		t.Fatalf("Submit: %v", err)
	}
	if res.SupplierOrderID != "PO-9" {
		t.Errorf("SupplierOrderID = %q, want PO-9", res.SupplierOrderID)
	}
	s := <-got
	if s.method != "PUT" || s.uri != "/api/orders?v=2" || string(s.body) != `{"bill":"B-1"}` {
		t.Errorf("request = %s %s %s", s.method, s.uri, s.body)
	}
	sum := sha256.Sum256(s.body)
	mac := hmac.New(sha256.New, []byte("k"))
	mac.Write([]byte("1795000000\nPUT\n/api/orders?v=2\n" + hex.EncodeToString(sum[:])))
	want := map[string]string{
		"Idempotency-Key":      "dso-abc",
		"Content-Type":         "application/json",
		"X-Tenant":             "acme",
		"X-Dropship-Timestamp": "1795000000",
		"X-Dropship-Signature": "sha256=" + hex.EncodeToString(mac.Sum(nil)),
	}
	for k, v := range want {
		if g := s.header.Get(k); g != v {
			t.Errorf("header %s = %q, want %q", k, g, v)
		}
	}
}

func writeSecret(t testing.TB, dir, key, value string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, key), []byte(value), 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestSecretRotation: a token rewritten in the mounted Secret is used after SecretRecheck,
// and a Secret that loses its key keeps the last good value.
func TestSecretRotation(t *testing.T) {
	seen := make(chan string, 4)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen <- r.Header.Get("Authorization")
		_, _ = io.WriteString(w, `{"orderId":"1"}`)
	}))
	defer srv.Close()
	dir := secretDir(t, map[string]string{"token": "old"})
	now := time.Unix(1795000000, 0)
	a, err := supplier.NewHTTP(config.Supplier{Name: "s", HTTP: &config.HTTPEndpoint{URL: srv.URL,
		Auth: config.HTTPAuth{Type: config.HTTPAuthBearer, SecretDir: dir}}}, supplier.HTTPOptions{Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	submit := func() string {
		t.Helper()
		if _, err := a.Submit(context.Background(), supplier.Request{Order: suppliertest.ConformanceOrder("R"), IdempotencyKey: "k"}); err != nil {
			t.Fatal(err)
		}
		return <-seen
	}
	writeSecret(t, dir, "token", "rotated-token")
	if got := submit(); got != "Bearer old" {
		t.Errorf("before the recheck: %q, want the old token", got)
	}
	now = now.Add(supplier.SecretRecheck)
	if got := submit(); got != "Bearer rotated-token" {
		t.Errorf("after the recheck: %q, want the rotated token", got)
	}
	if err := os.Remove(filepath.Join(dir, "token")); err != nil {
		t.Fatal(err)
	}
	now = now.Add(supplier.SecretRecheck)
	if got := submit(); got != "Bearer rotated-token" {
		t.Errorf("after the key vanished: %q, want the last good token", got)
	}
}

// TestRedirectNotFollowed: a 3xx is Rejected and the API key never reaches the other host.
func TestRedirectNotFollowed(t *testing.T) {
	leaked := make(chan string, 1)
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		leaked <- r.Header.Get("X-API-Key")
	}))
	defer other.Close()
	redirector := httptest.NewServer(http.RedirectHandler(other.URL+"/steal", http.StatusTemporaryRedirect))
	defer redirector.Close()
	a, err := supplier.NewHTTP(config.Supplier{Name: "s", HTTP: &config.HTTPEndpoint{URL: redirector.URL,
		Auth: config.HTTPAuth{Type: config.HTTPAuthAPIKey, SecretDir: secretDir(t, map[string]string{"apiKey": "key-1"})}}}, supplier.HTTPOptions{})
	if err != nil {
		t.Fatal(err)
	}
	_, err = a.Submit(context.Background(), supplier.Request{Order: suppliertest.ConformanceOrder("R"), IdempotencyKey: "k"})
	var se *supplier.Error
	if !errors.As(err, &se) || se.Kind != supplier.Rejected || se.StatusCode != http.StatusTemporaryRedirect {
		t.Fatalf("err = %v, want Rejected 307", err)
	}
	select {
	case k := <-leaked:
		t.Errorf("the redirect was followed (key %q sent to the other host)", k)
	default:
	}
}

// TestSupplierEchoesPII: a supplier repeating the phone, address and name in its answer
// gets them masked in the error and the kept response.
func TestSupplierEchoesPII(t *testing.T) {
	o := suppliertest.ConformanceOrder("PII")
	echo := fmt.Sprintf(`{"code":4001,"message":"cannot deliver to %s %s at %s"}`, o.ShipTo.Name, o.ShipTo.Phone, o.ShipTo.Address)
	for name, status := range map[string]int{"4xx": http.StatusBadRequest, "2xx not accepted": http.StatusOK} {
		t.Run(name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(status)
				_, _ = io.WriteString(w, echo)
			}))
			defer srv.Close()
			a, err := supplier.NewHTTP(config.Supplier{Name: "s", HTTP: &config.HTTPEndpoint{URL: srv.URL,
				Response: config.HTTPResponse{AcceptedWhen: "code == 0"}}}, supplier.HTTPOptions{})
			if err != nil {
				t.Fatal(err)
			}
			res, err := a.Submit(context.Background(), supplier.Request{Order: o, IdempotencyKey: "k"})
			var se *supplier.Error
			if !errors.As(err, &se) || se.Kind != supplier.Rejected {
				t.Fatalf("err = %v, want Rejected", err)
			}
			for _, s := range []string{err.Error(), se.Response, res.Response} {
				for _, pii := range []string{o.ShipTo.Phone, o.ShipTo.Address, o.ShipTo.Name} {
					if strings.Contains(s, pii) {
						t.Errorf("%q contains %q", s, pii)
					}
				}
			}
			if !strings.Contains(err.Error(), "138****5678") {
				t.Errorf("error %q lost the masked phone", err)
			}
		})
	}
}
