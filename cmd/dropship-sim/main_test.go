package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/dropship-operator/dropship-operator/dispatcher/config"
	"github.com/dropship-operator/dropship-operator/dispatcher/order"
	"github.com/dropship-operator/dropship-operator/dispatcher/supplier"
	"github.com/dropship-operator/dropship-operator/dispatcher/supplier/suppliertest"
)

func TestDecodeConfig(t *testing.T) {
	cases := map[string]struct {
		yaml    string
		want    []supplierSim
		wantErr string
	}{
		"two suppliers": {
			yaml: `
suppliers:
- name: a
  listen: 127.0.0.1:9101
  latency: 20ms
  jitter: 5ms
  errorRate: 0.1
  throttleRate: 0.05
  retryAfter: 2s
  shipDelay: 30s
  callbackSecret: cb
  knownSKUs: [X-1]
  auth: {type: Bearer, token: t}
- name: b
`,
			want: []supplierSim{
				{Name: "a", Listen: "127.0.0.1:9101", Latency: config.D(20 * time.Millisecond), Jitter: config.D(5 * time.Millisecond),
					ErrorRate: 0.1, ThrottleRate: 0.05, RetryAfter: config.D(2 * time.Second), ShipDelay: config.D(30 * time.Second),
					CallbackSecret: "cb", KnownSKUs: []string{"X-1"}, Auth: simAuth{Type: config.HTTPAuthBearer, Token: "t"}},
				{Name: "b"},
			},
		},
		"unknown field":       {yaml: "suppliers: [{name: a, latancy: 1s}]", wantErr: "unknown field"},
		"k3cloud unknown key": {yaml: "suppliers: [{name: a}]\nk3cloud: {orders: 100}", wantErr: "unknown field"},
		"k3cloud bad trickle": {yaml: "k3cloud: {trickle: {every: 1ms, orders: 1}}", wantErr: "trickle"},
		"k3cloud alone":       {yaml: "k3cloud: {seed: {orders: 10}}"},
		"nothing to run":      {yaml: "suppliers: []", wantErr: "no simulators"},
		"duplicate name":      {yaml: "suppliers: [{name: a}, {name: a}]", wantErr: "used twice"},
		"missing name":        {yaml: "suppliers: [{latency: 1s}]", wantErr: "name is required"},
		"rate out of range":   {yaml: "suppliers: [{name: a, errorRate: 1.5}]", wantErr: "outside 0–1"},
		"bad duration":        {yaml: "suppliers: [{name: a, latency: soon}]", wantErr: "cannot parse duration"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			c, err := decodeConfig([]byte(tc.yaml))
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want one containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, c.Suppliers); diff != "" {
				t.Errorf("suppliers mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestOptionsReadSecretDir(t *testing.T) {
	dir := t.TempDir()
	for k, v := range map[string]string{"username": "u\n", "password": "p\n", "cb": "cbsecret\n"} {
		if err := os.WriteFile(filepath.Join(dir, k), []byte(v), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	o, err := supplierSim{Name: "a", CallbackSecretFile: filepath.Join(dir, "cb"), Auth: simAuth{Type: config.HTTPAuthBasic, SecretDir: dir}}.options()
	if err != nil {
		t.Fatal(err)
	}
	if o.Auth.Username != "u" || o.Auth.Password != "p" || o.CallbackSecret != "cbsecret" {
		t.Errorf("options = %+v", o)
	}
	if _, err := (supplierSim{Name: "a", Auth: simAuth{Type: config.HTTPAuthBearer, SecretDir: dir}}).options(); err == nil {
		t.Error("a secret dir without the token key was accepted")
	}
}

// runSim runs the command until the test ends and returns the ready file's content.
func runSim(t *testing.T, args ...string) readyFile {
	t.Helper()
	ready := filepath.Join(t.TempDir(), "ready.json")
	ctx, cancel := context.WithCancel(context.Background())
	var out bytes.Buffer
	var mu sync.Mutex
	done := make(chan int, 1)
	go func() {
		code := run(ctx, append(args, "--ready-file", ready), &lockedWriter{w: &out, mu: &mu}, io.Discard)
		done <- code
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case code := <-done:
			if code != 0 {
				t.Errorf("dropship-sim exited %d", code)
			}
		case <-time.After(5 * time.Second):
			t.Error("dropship-sim did not stop within 5s of SIGTERM")
		}
	})
	deadline := time.Now().Add(5 * time.Second)
	for {
		b, err := os.ReadFile(ready)
		if err == nil {
			var r readyFile
			if err := json.Unmarshal(b, &r); err != nil {
				t.Fatalf("ready file: %v", err)
			}
			mu.Lock()
			defer mu.Unlock()
			for _, e := range r.Suppliers {
				if !strings.Contains(out.String(), "supplier "+e.Name+" listening on "+e.URL) {
					t.Errorf("output %q does not announce %s", out.String(), e.Name)
				}
			}
			return r
		}
		select {
		case code := <-done:
			t.Fatalf("dropship-sim exited %d before it was ready", code)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatal("no ready file within 5s")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

type lockedWriter struct {
	w  io.Writer
	mu *sync.Mutex
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

func submit(t *testing.T, url string) int {
	t.Helper()
	body, _ := json.Marshal(supplier.DefaultPayload{Order: order.Order{Source: "s", BillNo: "B1"}, Items: []supplier.PayloadItem{{EntryID: "1", SKU: "X"}}})
	req, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	req.Header.Set(supplier.HeaderIdempotencyKey, "k1")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func TestRunFromConfigFile(t *testing.T) {
	cfg := filepath.Join(t.TempDir(), "sim.yaml")
	if err := os.WriteFile(cfg, []byte("suppliers:\n- name: a\n- name: b\n  errorRate: 1\n  errorStatus: 502\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	r := runSim(t, "--config", cfg)
	if len(r.Suppliers) != 2 || r.Suppliers[0].Name != "a" || r.Suppliers[0].URL == r.Suppliers[1].URL {
		t.Fatalf("ready file = %+v", r)
	}
	if code := submit(t, r.Suppliers[0].Orders); code != 200 {
		t.Errorf("supplier a answered %d, want 200", code)
	}
	if code := submit(t, r.Suppliers[1].Orders); code != 502 {
		t.Errorf("supplier b answered %d, want 502", code)
	}
	resp, err := http.Get(r.Suppliers[0].Admin + "stats")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var st suppliertest.Stats
	if err := json.NewDecoder(resp.Body).Decode(&st); err != nil || st.Accepted != 1 {
		t.Errorf("admin stats of a = %+v, %v; want 1 accepted", st, err)
	}
}

func TestRunFromFlags(t *testing.T) {
	r := runSim(t, "--suppliers", "3", "--throttle-rate", "1", "--retry-after", "3s")
	if len(r.Suppliers) != 3 || r.Suppliers[2].Name != "supplier-3" {
		t.Fatalf("ready file = %+v", r)
	}
	for _, e := range r.Suppliers {
		if code := submit(t, e.Orders); code != 429 {
			t.Errorf("%s answered %d, want 429", e.Name, code)
		}
	}
}

func TestRunRefusesBadConfig(t *testing.T) {
	var stderr bytes.Buffer
	if code := run(context.Background(), []string{"--suppliers", "0"}, io.Discard, &stderr); code != 2 || !strings.Contains(stderr.String(), "--suppliers") {
		t.Errorf("exit %d, stderr %q; want 2 naming --suppliers", code, stderr.String())
	}
	if code := run(context.Background(), []string{"--config", "/nonexistent.yaml"}, io.Discard, io.Discard); code != 2 {
		t.Errorf("missing config: exit %d, want 2", code)
	}
}

func TestK3CloudSection(t *testing.T) {
	k := &k3cloudSection{cfg: k3cloudSim{Seed: k3cloudSeed{Orders: 25, Seed: 7},
		Trickle: &k3cloudTrickle{Every: config.D(20 * time.Millisecond), Orders: 2}}}
	if err := k.start(); err != nil {
		t.Fatal(err)
	}
	if n := len(k.srv.Bills("SAL_SaleOrder")); n < 25 {
		t.Errorf("%d sales orders after seeding, want at least 25", n)
	}
	deadline := time.Now().Add(5 * time.Second)
	for len(k.srv.Bills("SAL_SaleOrder")) < 29 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if n := len(k.srv.Bills("SAL_SaleOrder")); n < 29 {
		t.Errorf("%d sales orders after two trickle ticks, want at least 29", n)
	}
	if err := k.shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func TestRunWithK3Cloud(t *testing.T) {
	cfg := filepath.Join(t.TempDir(), "sim.yaml")
	if err := os.WriteFile(cfg, []byte("k3cloud:\n  acctID: acct-1\n  seed: {orders: 5}\nsuppliers:\n- name: a\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	r := runSim(t, "--config", cfg)
	if len(r.K3Cloud) != 1 || r.K3Cloud[0].AcctID != "acct-1" || !strings.HasSuffix(r.K3Cloud[0].URL, "/k3cloud/") || len(r.Suppliers) != 1 {
		t.Fatalf("ready file = %+v", r)
	}
	body := `{"acctID":"acct-1","username":"apiuser","password":"P@ssw0rd","lcid":2052}`
	resp, err := http.Post(r.K3Cloud[0].URL+"Kingdee.BOS.WebApi.ServicesStub.AuthService.ValidateUser.common.kdsvc", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var login struct{ LoginResultType int }
	if err := json.NewDecoder(resp.Body).Decode(&login); err != nil || login.LoginResultType != 1 {
		t.Errorf("login = %+v, %v; want LoginResultType 1", login, err)
	}
}

func TestK3CloudTrickleStopsAtTotal(t *testing.T) {
	k := &k3cloudSection{cfg: k3cloudSim{Trickle: &k3cloudTrickle{Every: config.D(10 * time.Millisecond), Orders: 3, Total: 7}}}
	if err := k.start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := k.shutdown(context.Background()); err != nil {
			t.Error(err)
		}
	}()
	deadline := time.Now().Add(5 * time.Second)
	for len(k.srv.Bills("SAL_SaleOrder")) < 7 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	time.Sleep(100 * time.Millisecond) // ten more ticks: none may add orders
	if n := len(k.srv.Bills("SAL_SaleOrder")); n != 7 {
		t.Errorf("%d sales orders, want exactly the trickle's total of 7", n)
	}
}

// TestDemoConfig keeps the shipped demo configuration valid.
func TestDemoConfig(t *testing.T) {
	c, err := loadConfig("testdata/demo.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Suppliers) != 3 || c.K3Cloud == nil || c.K3Cloud.Trickle == nil {
		t.Errorf("demo config = %+v", c)
	}
	for _, s := range c.Suppliers {
		if _, err := s.options(); err != nil {
			t.Errorf("supplier %s: %v", s.Name, err)
		}
	}
}
