package suppliertest

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/dropship-operator/dropship-operator/dispatcher/config"
	"github.com/dropship-operator/dropship-operator/dispatcher/order"
	"github.com/dropship-operator/dropship-operator/dispatcher/supplier"
)

// ConformanceTimeout is the per-attempt timeout the suite's supplier config sets; adapters
// must honour it (the timeout cases wait for it).
const ConformanceTimeout = 400 * time.Millisecond

// ConformanceEnv is what the suite hands an adapter factory for each case.
type ConformanceEnv struct {
	// Server is the simulator the adapter must talk to.
	Server *Server
	// Supplier is a supplier config aimed at Server: default payload, orderIDPath
	// "data.orderId", acceptedWhen "code == 0", messagePath "message", no auth,
	// delivery timeout ConformanceTimeout, and a catalog mapping SKU-1 → S-SKU-1.
	Supplier config.Supplier
}

// ConformanceOrder is the order the suite submits; its phone and address must never show
// in an adapter's errors.
func ConformanceOrder(billNo string) *order.Order {
	return &order.Order{
		Source: "conformance", BillNo: billNo, BillID: "100" + billNo, Currency: "CNY",
		ShipTo: order.ShipTo{Name: "张三", Phone: "13812345678", Province: "广东省", City: "深圳市", District: "南山区", Address: "科技园南路18号"},
		Lines: []order.Line{
			{EntryID: "1", SKU: "SKU-1", Name: "保温杯", Quantity: 2, UnitPrice: 39.9},
			{EntryID: "2", SKU: "SKU-2", Name: "毛巾", Quantity: 1, UnitPrice: 12},
		},
		CreatedAt: time.Date(2026, 11, 20, 9, 30, 0, 0, time.UTC),
	}
}

func conformanceEnv(t *testing.T, p Profile) ConformanceEnv {
	srv := Start(t, Options{Name: "conformance", Profile: p, KnownSKUs: []string{"S-SKU-1", "SKU-2"}, HangLimit: 5 * time.Second})
	return ConformanceEnv{Server: srv, Supplier: config.Supplier{
		Name: "conformance",
		HTTP: &config.HTTPEndpoint{
			URL:      srv.OrdersURL(),
			Auth:     config.HTTPAuth{Type: config.HTTPAuthNone},
			Request:  config.HTTPRequest{Method: "POST"},
			Response: config.HTTPResponse{OrderIDPath: "data.orderId", AcceptedWhen: "code == 0", MessagePath: "message"},
		},
		Catalog:  config.Catalog{SKUs: []config.CatalogItem{{SKU: "SKU-1", SupplierSKU: "S-SKU-1", Price: 30}}},
		Delivery: config.Delivery{Timeout: config.D(ConformanceTimeout)},
		Capacity: config.Capacity{MaxConcurrent: 4},
	}}
}

func conformanceRequest(billNo string, lines ...int) supplier.Request {
	o := ConformanceOrder(billNo)
	entry := ""
	if len(lines) == 1 {
		entry = o.Lines[lines[0]].EntryID
	}
	return supplier.Request{Order: o, Lines: lines, IdempotencyKey: order.IdempotencyKey(o.Source, o.BillNo, entry, "conformance"), CallbackURL: "http://127.0.0.1:1/v1/suppliers/conformance/shipments"}
}

// RunAdapterConformance checks an HTTP/JSON adapter against the simulator: the whole
// RunAdapterContract, then what is particular to HTTP — the Idempotency-Key header sent,
// every line of the order in WholeOrder mode, the HTTP status of each classification
// (500/502/503/408 transient, 400/404/422 and 200-with-an-error-code rejected, 429
// throttled) and Retry-After in seconds and as an HTTP date. newAdapter is called once per
// case with a fresh server.
func RunAdapterConformance(t *testing.T, newAdapter func(t *testing.T, env ConformanceEnv) supplier.Adapter) {
	RunAdapterContract(t, func(t *testing.T) Harness {
		env := conformanceEnv(t, Profile{})
		return &httpHarness{env: env, adapter: newAdapter(t, env)}
	})

	t.Run("sends the Idempotency-Key header", func(t *testing.T) {
		env := conformanceEnv(t, Profile{})
		a := newAdapter(t, env)
		req := conformanceRequest("SO-1", 0)
		if _, err := a.Submit(context.Background(), req); err != nil {
			t.Fatalf("Submit: %v", err)
		}
		if got := env.Server.LastIdempotencyKey(); got != req.IdempotencyKey {
			t.Errorf("Idempotency-Key = %q, want %q", got, req.IdempotencyKey)
		}
		e, _ := env.Server.Lookup(req.IdempotencyKey)
		if want := order.LineID("conformance", "SO-1", "1"); len(e.Lines) != 1 || e.Lines[0] != want {
			t.Errorf("ledger lines = %q, want [%q]", e.Lines, want)
		}
	})

	t.Run("whole order sends every line", func(t *testing.T) {
		env := conformanceEnv(t, Profile{})
		a := newAdapter(t, env)
		req := conformanceRequest("SO-W")
		if _, err := a.Submit(context.Background(), req); err != nil {
			t.Fatalf("Submit: %v", err)
		}
		e, _ := env.Server.Lookup(req.IdempotencyKey)
		if len(e.Lines) != 2 {
			t.Errorf("ledger has %d lines, want 2", len(e.Lines))
		}
	})

	cases := map[string]struct {
		profile    Profile
		badSKU     bool
		kind       supplier.Kind
		status     int
		retryAfter [2]time.Duration // inclusive range
	}{
		"500 is transient":                   {profile: Profile{ErrorRate: 1, ErrorStatus: 500}, kind: supplier.Transient, status: 500},
		"502 is transient":                   {profile: Profile{ErrorRate: 1, ErrorStatus: 502}, kind: supplier.Transient, status: 502},
		"503 is transient":                   {profile: Profile{ErrorRate: 1, ErrorStatus: 503}, kind: supplier.Transient, status: 503},
		"408 is transient":                   {profile: Profile{ErrorRate: 1, ErrorStatus: 408}, kind: supplier.Transient, status: 408},
		"400 is rejected":                    {profile: Profile{ErrorRate: 1, ErrorStatus: 400}, kind: supplier.Rejected, status: 400},
		"404 is rejected":                    {profile: Profile{ErrorRate: 1, ErrorStatus: 404}, kind: supplier.Rejected, status: 404},
		"unknown SKU is rejected":            {badSKU: true, kind: supplier.Rejected, status: 422},
		"200 with an error code is rejected": {profile: Profile{SoftRejectRate: 1}, kind: supplier.Rejected, status: 200},
		"429 is throttled with Retry-After seconds": {profile: Profile{ThrottleRate: 1, RetryAfter: 7 * time.Second},
			kind: supplier.Throttled, status: 429, retryAfter: [2]time.Duration{7 * time.Second, 7 * time.Second}},
		"429 is throttled with a Retry-After date": {profile: Profile{ThrottleRate: 1, RetryAfter: 30 * time.Second, RetryAfterDate: true},
			kind: supplier.Throttled, status: 429, retryAfter: [2]time.Duration{28 * time.Second, 31 * time.Second}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			env := conformanceEnv(t, tc.profile)
			a := newAdapter(t, env)
			req := conformanceRequest("SO-C", 0)
			if tc.badSKU {
				req.Order.Lines[0].SKU = "SKU-UNKNOWN"
			}
			_, err := a.Submit(context.Background(), req)
			var se *supplier.Error
			if !errors.As(err, &se) {
				t.Fatalf("Submit: err = %v, want a *supplier.Error", err)
			}
			if se.Kind != tc.kind || se.StatusCode != tc.status {
				t.Errorf("kind/status = %v/%d, want %v/%d (err %v)", se.Kind, se.StatusCode, tc.kind, tc.status, err)
			}
			if se.RetryAfter < tc.retryAfter[0] || se.RetryAfter > tc.retryAfter[1] {
				t.Errorf("RetryAfter = %v, want within %v", se.RetryAfter, tc.retryAfter)
			}
			assertNoPII(t, err, req.Order)
			if st := env.Server.Stats(); st.Accepted != 0 {
				t.Errorf("the simulator accepted %d orders, want 0", st.Accepted)
			}
		})
	}
}

// httpHarness runs the contract against the simulator.
type httpHarness struct {
	env     ConformanceEnv
	adapter supplier.Adapter
}

func (h *httpHarness) Adapter() supplier.Adapter { return h.adapter }

func (h *httpHarness) Fail(f Fault) {
	p := map[Fault]Profile{
		FaultNone:               {},
		FaultUnavailable:        {ErrorRate: 1, ErrorStatus: 503},
		FaultThrottled:          {ThrottleRate: 1, RetryAfter: 2 * time.Second},
		FaultRejected:           {ErrorRate: 1, ErrorStatus: 422},
		FaultTimeout:            {TimeoutRate: 1},
		FaultTimeoutAfterAccept: {TimeoutRate: 1, TimeoutAfterAccept: true},
		FaultDropped:            {DropRate: 1},
	}[f]
	_ = h.env.Server.SetProfile(p)
}

func (h *httpHarness) Accepted(key string) (string, bool) {
	e, ok := h.env.Server.Lookup(key)
	return e.OrderID, ok
}

func (h *httpHarness) Orders() int     { return h.env.Server.Stats().Orders }
func (h *httpHarness) Duplicates() int { return int(h.env.Server.Stats().Duplicates) }
func (h *httpHarness) Stop()           { _ = h.env.Server.Close() }

// assertNoPII fails when an error's text carries the consignee's phone, address or name.
func assertNoPII(t *testing.T, err error, o *order.Order) {
	t.Helper()
	msg := err.Error()
	for _, pii := range []string{o.ShipTo.Phone, o.ShipTo.Address, o.ShipTo.Name} {
		if strings.Contains(msg, pii) {
			t.Errorf("error %q contains personal data", msg)
		}
	}
}
