package k3cloud_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/dropship-operator/dropship-operator/dispatcher/config"
	"github.com/dropship-operator/dropship-operator/dispatcher/k3cloud"
	"github.com/dropship-operator/dropship-operator/dispatcher/k3cloud/k3cloudtest"
)

var billNoQuery = k3cloud.Query{FormID: "SAL_SaleOrder", FieldKeys: []string{"FBillNo"}, OrderString: "FID ASC"}

func billNos(rows []k3cloud.Row) []string {
	out := make([]string, len(rows))
	for i, r := range rows {
		out[i] = r.String(0)
	}
	return out
}

func TestAuthModes(t *testing.T) {
	cases := map[string]struct {
		reason     string
		mode       config.K3CloudAuthMode
		sim        k3cloudtest.Options
		wantLogins map[string]int
	}{
		"Signature":      {"per-request headers, no login call", config.K3CloudAuthSignature, k3cloudtest.Options{}, map[string]int{}},
		"AppSecret":      {"LoginByAppSecret once", config.K3CloudAuthAppSecret, k3cloudtest.Options{}, map[string]int{"LoginByAppSecret": 1}},
		"Sign":           {"LoginBySign with SHA-256", config.K3CloudAuthSign, k3cloudtest.Options{}, map[string]int{"LoginBySign": 1}},
		"SignSHA1Server": {"an old server refuses SHA-256; the client falls back to SHA-1", config.K3CloudAuthSign, k3cloudtest.Options{SHA1Only: true}, map[string]int{"LoginBySign": 2}},
		"Password":       {"ValidateUser once", config.K3CloudAuthPassword, k3cloudtest.Options{}, map[string]int{"ValidateUser": 1}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			srv, u := startSim(t, tc.sim)
			want, err := srv.SeedSalesOrders(k3cloudtest.SeedOptions{Orders: 5, Seed: 1, MaxLines: 1})
			if err != nil {
				t.Fatal(err)
			}
			c := newClient(t, u, tc.mode)
			for range 2 {
				rows, err := c.ExecuteBillQuery(context.Background(), billNoQuery)
				if err != nil {
					t.Fatalf("%s\nExecuteBillQuery: %v", tc.reason, err)
				}
				if diff := cmp.Diff(want, billNos(rows)); diff != "" {
					t.Errorf("%s\nrows -want +got:\n%s", tc.reason, diff)
				}
			}
			calls := srv.Calls()
			got := map[string]int{}
			for _, svc := range []string{"ValidateUser", "LoginByAppSecret", "LoginBySign"} {
				if calls[svc] > 0 {
					got[svc] = calls[svc]
				}
			}
			if diff := cmp.Diff(tc.wantLogins, got); diff != "" {
				t.Errorf("%s\nlogin calls -want +got:\n%s", tc.reason, diff)
			}
		})
	}
}

func TestBadCredentials(t *testing.T) {
	cases := map[string]struct {
		reason string
		mode   config.K3CloudAuthMode
		key    string
		want   error
	}{
		"Signature": {"a refused signature is MsgCode 1 (reference §2.6)", config.K3CloudAuthSignature, config.SecretKeyAppSecret, k3cloud.ErrSessionLost},
		"AppSecret": {"LoginByAppSecret refused", config.K3CloudAuthAppSecret, config.SecretKeyAppSecret, k3cloud.ErrLogin},
		"Sign":      {"LoginBySign refused with both digests", config.K3CloudAuthSign, config.SecretKeyAppSecret, k3cloud.ErrLogin},
		"Password":  {"ValidateUser refused", config.K3CloudAuthPassword, config.SecretKeyPassword, k3cloud.ErrLogin},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			_, u := startSim(t, k3cloudtest.Options{})
			creds := defaultCreds()
			creds[tc.key] = "ffffffffffffffffffffffffffffffff"
			c, err := k3cloud.New(connFor(t, u, tc.mode, creds), k3cloud.Options{})
			if err != nil {
				t.Fatal(err)
			}
			_, err = c.ExecuteBillQuery(context.Background(), billNoQuery)
			if !errors.Is(err, tc.want) {
				t.Fatalf("%s\nerr = %v, want %v", tc.reason, err, tc.want)
			}
			if msg := err.Error(); containsAny(msg, "ffffffffffffffffffffffffffffffff", k3cloudtest.DefaultAppSecret) {
				t.Errorf("error leaks a credential: %s", msg)
			}
		})
	}
}

func containsAny(s string, subs ...string) bool {
	for _, x := range subs {
		if x != "" && strings.Contains(s, x) {
			return true
		}
	}
	return false
}

func TestMissingCredentialFile(t *testing.T) {
	creds := defaultCreds()
	delete(creds, config.SecretKeyAppSecret)
	_, err := k3cloud.New(connFor(t, "http://127.0.0.1:1/k3cloud/", config.K3CloudAuthSignature, creds), k3cloud.Options{})
	if err == nil {
		t.Fatal("New with a missing appSecret file succeeded")
	}
}

func TestConcurrencyCap(t *testing.T) {
	srv, u := startSim(t, k3cloudtest.Options{Latency: 20 * time.Millisecond})
	conn := connFor(t, u, config.K3CloudAuthSignature, defaultCreds())
	conn.MaxConcurrent = 2
	c, err := k3cloud.New(conn, k3cloud.Options{})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	errs := make(chan error, 6)
	for range 6 {
		go func() { _, err := c.ExecuteBillQuery(context.Background(), billNoQuery); errs <- err }()
	}
	for range 6 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	// 6 calls of 20 ms, 2 at a time, cannot take less than 3 × 20 ms.
	if d := time.Since(start); d < 60*time.Millisecond {
		t.Errorf("6 calls with MaxConcurrent 2 took %v, less than 60ms", d)
	}
	if srv.CallCount("ExecuteBillQuery") != 6 {
		t.Errorf("calls = %d", srv.CallCount("ExecuteBillQuery"))
	}
}

// TestQueryCacheSeesChanges: the simulator caches the last query's rows for paging; any
// change to the data must show in the next answer to the same query.
func TestQueryCacheSeesChanges(t *testing.T) {
	srv, u := startSim(t, k3cloudtest.Options{})
	c := newClient(t, u, config.K3CloudAuthSignature)
	ctx := context.Background()
	count := func() int {
		rows, err := c.ExecuteBillQuery(ctx, billNoQuery)
		if err != nil {
			t.Fatal(err)
		}
		return len(rows)
	}
	if n := count(); n != 0 {
		t.Fatalf("rows = %d", n)
	}
	if _, _, err := srv.AddSalesOrder(k3cloudtest.SalesOrder{Address: "北京市1号", Lines: []k3cloudtest.SalesLine{{SKU: "A", Qty: 1}}}); err != nil {
		t.Fatal(err)
	}
	if n := count(); n != 1 {
		t.Errorf("rows after AddSalesOrder = %d, want 1", n)
	}
	if _, err := c.Save(ctx, "SAL_SaleOrder", map[string]any{"FSaleOrgId": map[string]any{"FNumber": "100"},
		"FCustId": map[string]any{"FNumber": "C1"}, "FDate": "2025-03-01",
		"FSaleOrderEntry": []any{map[string]any{"FMaterialId": map[string]any{"FNumber": "A"}, "FQty": 1}}}, k3cloud.SaveOptions{}); err != nil {
		t.Fatal(err)
	}
	if n := count(); n != 2 {
		t.Errorf("rows after Save = %d, want 2", n)
	}
}
