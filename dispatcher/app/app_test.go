package app_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/go-logr/logr/testr"
	"github.com/jackc/pgx/v5"

	"github.com/dropship-operator/dropship-operator/dispatcher/app"
	"github.com/dropship-operator/dropship-operator/dispatcher/app/apptest"
	"github.com/dropship-operator/dropship-operator/dispatcher/config"
	"github.com/dropship-operator/dropship-operator/dispatcher/k3cloud/k3cloudtest"
	"github.com/dropship-operator/dropship-operator/dispatcher/order"
	"github.com/dropship-operator/dropship-operator/dispatcher/server"
	"github.com/dropship-operator/dropship-operator/dispatcher/store"
	"github.com/dropship-operator/dropship-operator/dispatcher/supplier"
	"github.com/dropship-operator/dropship-operator/dispatcher/supplier/suppliertest"
)

func fastDelivery() config.Delivery {
	return config.Delivery{Timeout: config.D(2 * time.Second),
		Retry:         config.Retry{Attempts: 3, Initial: config.D(20 * time.Millisecond), Max: config.D(100 * time.Millisecond)},
		RetryAfterMax: config.D(100 * time.Millisecond)}
}

// start runs a dispatcher in-process over a fresh Env.
func start(t *testing.T, o apptest.Options) (*apptest.Env, *app.Dispatcher, *apptest.Client) {
	t.Helper()
	o.Dir = t.TempDir()
	if o.Delivery.Timeout.IsZero() {
		o.Delivery = fastDelivery()
	}
	env, err := apptest.New(o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = env.Close() })
	d := run(t, env.Config, app.Options{Owner: "test", Lease: 2 * time.Second, Log: testr.NewWithOptions(t, testr.Options{Verbosity: 0})})
	return env, d, apptest.NewClient(d.Addr())
}

// run starts a dispatcher in-process and stops it when the test ends (before anything the
// test registered earlier with t.Cleanup, such as its simulators), failing the test if it
// stops with an error.
func run(t *testing.T, cfg *config.DispatcherConfig, opts app.Options) *app.Dispatcher {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	d, err := app.New(ctx, cfg, opts)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- d.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("dispatcher stopped with an error: %v", err)
		}
	})
	return d
}

func post(t *testing.T, c *apptest.Client, orders []*order.Order) {
	t.Helper()
	for i := 0; i < len(orders); i += 50 {
		status, body, err := c.Post(context.Background(), orders[i:min(i+50, len(orders))])
		if err != nil || status != http.StatusAccepted {
			t.Fatalf("intake: status %d, err %v: %s", status, err, body)
		}
	}
}

// waitFor polls the journal counts until cond holds or the deadline passes.
func waitFor(t *testing.T, d *app.Dispatcher, what string, within time.Duration, cond func(map[order.State]int64) bool) map[order.State]int64 {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		c, err := d.Pipeline().Store().Counts(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if cond(c) {
			return c
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: not reached within %v; counts %v", what, within, c)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestOrdersFlowFromIntakeToShipment(t *testing.T) {
	env, d, c := start(t, apptest.Options{Profile: suppliertest.Profile{ShipDelay: 20 * time.Millisecond}})
	const n = 300
	post(t, c, apptest.Orders("E2E", 0, n))
	waitFor(t, d, "every line closed", 30*time.Second, func(c map[order.State]int64) bool { return c[order.StateClosed] == n })

	accepted, dups, _ := env.Ledger()
	if accepted != n || dups != 0 {
		t.Errorf("simulators accepted %d orders with %d duplicates, want %d and 0", accepted, dups, n)
	}
	var ov server.OrderView
	if status, err := c.Get(context.Background(), "/v1/orders/E2E-7", &ov); err != nil || status != 200 {
		t.Fatalf("GET order: %d %v", status, err)
	}
	l := ov.Lines[0]
	if l.State != order.StateClosed || l.Supplier == "" || len(l.Explain) == 0 || l.Shipment == nil || l.Shipment.TrackingNo == "" || l.SupplierOrderID == "" {
		t.Errorf("order view lacks state, supplier, explain or shipment: %+v", l)
	}
	// Every supplier got a share (weights 1:1:1).
	for _, s := range env.Fleet.Stats() {
		if s.Accepted < n/6 {
			t.Errorf("supplier %s accepted %d of %d orders, want about a third", s.Name, s.Accepted, n)
		}
	}
	metrics := get(t, c, "/metrics")
	for _, want := range []string{
		`dropship_lines{state="Closed"} 300`,
		`dropship_supplier_requests_total{outcome="accepted",supplier="sup-00"}`,
		`dropship_supplier_request_duration_seconds_bucket{supplier="sup-01"`,
		`dropship_backlog 0`,
		`dropship_intake_to_accepted_seconds_count 300`,
		`dropship_shipment_callbacks_total{result="shipped",supplier="sup-02"}`,
	} {
		if !strings.Contains(metrics, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	if s := get(t, c, "/readyz"); !strings.Contains(s, "ready") {
		t.Errorf("/readyz: %s", s)
	}
}

func get(t *testing.T, c *apptest.Client, path string) string {
	t.Helper()
	resp, err := c.HTTP.Get(c.BaseURL + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

func TestInvalidIntakeIsRefusedAndNotJournaled(t *testing.T) {
	_, d, c := start(t, apptest.Options{})
	bad := apptest.Orders("BAD", 0, 2)
	bad[1].Lines[0].Quantity = 0
	bad[1].ShipTo.Phone = ""
	status, body, err := c.Post(context.Background(), bad)
	if err != nil || status != http.StatusBadRequest {
		t.Fatalf("status %d err %v, want 400", status, err)
	}
	var eb struct {
		Orders []server.OrderErrors `json:"orders"`
	}
	if err := json.Unmarshal(body, &eb); err != nil {
		t.Fatal(err)
	}
	var fields []string
	for _, oe := range eb.Orders {
		for _, fe := range oe.Errors {
			fields = append(fields, fe.Field)
		}
	}
	if len(eb.Orders) != 1 || eb.Orders[0].Index != 1 || strings.Join(fields, ",") != "shipTo.phone,lines[0].quantity" {
		t.Errorf("field errors = %+v, want order 1 with shipTo.phone and lines[0].quantity", eb.Orders)
	}
	lines, err := d.Pipeline().Store().List(context.Background(), store.Filter{})
	if err != nil || len(lines) != 0 {
		t.Errorf("a refused batch journaled %d lines (err %v)", len(lines), err)
	}
	// Unsigned requests are refused.
	resp, err := http.Post(c.BaseURL+"/v1/orders", "application/json", strings.NewReader("[]"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("unsigned intake: %d, want 401", resp.StatusCode)
	}
}

func TestRefusingSupplierIsRoutedAround(t *testing.T) {
	env, d, c := start(t, apptest.Options{})
	refuser := env.Fleet.Servers[0]
	if err := refuser.SetProfile(suppliertest.Profile{SoftRejectRate: 1}); err != nil {
		t.Fatal(err)
	}
	const n = 90
	post(t, c, apptest.Orders("RR", 0, n))
	waitFor(t, d, "every line accepted elsewhere", 20*time.Second, func(c map[order.State]int64) bool { return c[order.StateClosed] == n })
	if s := refuser.Stats(); s.Accepted != 0 || s.SoftRejected == 0 {
		t.Errorf("refusing supplier: accepted %d, soft-rejected %d; want 0 and some", s.Accepted, s.SoftRejected)
	}
	lines, err := d.Pipeline().Store().List(context.Background(), store.Filter{Limit: n})
	if err != nil {
		t.Fatal(err)
	}
	rerouted := 0
	for _, l := range lines {
		if len(l.Tried) > 0 {
			rerouted++
			if l.Tried[0] != apptest.Name(0) || l.Supplier == apptest.Name(0) {
				t.Errorf("line %s: tried %v, supplier %s", l.ID, l.Tried, l.Supplier)
			}
		}
	}
	if rerouted == 0 {
		t.Error("no line was rerouted after a refusal")
	}
}

func TestExhaustedRetriesDeadLetterAndReplay(t *testing.T) {
	env, d, c := start(t, apptest.Options{Weights: []int32{1}, Profile: suppliertest.Profile{ErrorRate: 1, ErrorStatus: 503},
		Adaptive: config.Adaptive{BaseEjectionTime: config.D(100 * time.Millisecond), MaxEjectionTime: config.D(200 * time.Millisecond)}})
	post(t, c, apptest.Orders("DL", 0, 5))
	waitFor(t, d, "every line dead-lettered", 20*time.Second, func(c map[order.State]int64) bool { return c[order.StateDeadLettered] == 5 })
	var page server.DeadLetterPage
	if status, err := c.Get(context.Background(), "/v1/deadletters?limit=2", &page); err != nil || status != 200 {
		t.Fatalf("list dead letters: %d %v", status, err)
	}
	if len(page.Items) != 2 || page.Next == "" {
		t.Fatalf("first page: %d items, next %q; want 2 and a cursor", len(page.Items), page.Next)
	}
	dl := page.Items[0]
	if !strings.Contains(dl.Reason, "retries exhausted after 3 attempts") || dl.LastResponse == "" || dl.Attempts != 3 {
		t.Errorf("dead letter lacks reason or last response: %+v", dl)
	}
	if err := env.Fleet.Servers[0].SetProfile(suppliertest.Profile{}); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{dl.ID, page.Items[1].ID} {
		req, _ := http.NewRequest(http.MethodPost, c.BaseURL+"/v1/deadletters/"+strings.ReplaceAll(id, "/", "%2F")+"/replay", nil)
		resp, err := c.HTTP.Do(req)
		if err != nil || resp.StatusCode != http.StatusAccepted {
			t.Fatalf("replay %s: %v %v", id, resp.StatusCode, err)
		}
		resp.Body.Close()
	}
	waitFor(t, d, "replayed lines closed", 20*time.Second, func(c map[order.State]int64) bool {
		return c[order.StateClosed] == 2 && c[order.StateDeadLettered] == 3
	})
	// Replaying a line that is not dead-lettered is a conflict.
	req, _ := http.NewRequest(http.MethodPost, c.BaseURL+"/v1/deadletters/"+strings.ReplaceAll(dl.ID, "/", "%2F")+"/replay", nil)
	resp, err := c.HTTP.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusConflict {
		t.Errorf("second replay: %d, want 409", resp.StatusCode)
	}
}

func TestShadowModeSendsNothing(t *testing.T) {
	env, d, c := start(t, apptest.Options{Mode: config.ModeShadow})
	post(t, c, apptest.Orders("SH", 0, 40))
	waitFor(t, d, "every line shadowed", 20*time.Second, func(c map[order.State]int64) bool { return c[order.StateShadowed] == 40 })
	if _, _, requests := env.Ledger(); requests != 0 {
		t.Errorf("shadow mode sent %d requests to suppliers", requests)
	}
}

// TestK3CloudSourceToClosed runs the whole chain against the K3Cloud simulator: audited
// sales orders are polled, routed and delivered, purchase orders are written back
// (Recorded), shipments come back by callback, tracking numbers are written to the sales
// orders, and every line closes.
func TestK3CloudSourceToClosed(t *testing.T) {
	erp := k3cloudtest.NewServer(k3cloudtest.Options{})
	url, err := erp.Start()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = erp.Close() })
	if _, err := erp.SeedSalesOrders(k3cloudtest.SeedOptions{Orders: 20, Seed: 7, Span: time.Hour, Start: time.Now().Add(-2 * time.Hour)}); err != nil {
		t.Fatal(err)
	}
	env, cfg := k3cloudConfig(t, url)
	t.Cleanup(func() { _ = env.Close() })
	d := run(t, cfg, app.Options{Owner: "test", Lease: 2 * time.Second, Listen: "127.0.0.1:0", Log: testr.New(t)})
	sales := erp.Bills("SAL_SaleOrder")
	lines := 0
	for _, b := range sales {
		lines += len(b.Entries)
	}
	counts := waitFor(t, d, "every ERP line closed", 60*time.Second, func(c map[order.State]int64) bool {
		return c[order.StateClosed] > 0 && c[order.StateClosed]+c[order.StateDeadLettered] == int64(lines)
	})
	t.Logf("%d sales orders, %d lines: %v", len(sales), lines, counts)
	if pos := erp.Bills("PUR_PurchaseOrder"); len(pos) != int(counts[order.StateClosed]) {
		t.Errorf("%d purchase orders in the ERP for %d closed lines", len(pos), counts[order.StateClosed])
	}
	withTracking := 0
	for _, b := range erp.Bills("SAL_SaleOrder") {
		if v := fmt.Sprint(b.Head["F_TrackingNo"]); v != "" && v != "<nil>" {
			withTracking++
		}
	}
	if withTracking == 0 {
		t.Error("no sales order got a tracking number")
	}
	all, err := d.Pipeline().Store().List(context.Background(), store.Filter{States: []order.State{order.StateClosed}, Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range all {
		if l.PurchaseOrderNo == "" || !l.ShipmentWrittenBack {
			t.Errorf("closed line %s lacks its purchase order (%q) or tracking write-back (%v)", l.ID, l.PurchaseOrderNo, l.ShipmentWrittenBack)
		}
	}
}

func TestServerRefusesWhatItMust(t *testing.T) {
	_, _, c := start(t, apptest.Options{})
	signed := func(path string, body []byte, secret string, at time.Time) int {
		req, _ := http.NewRequest(http.MethodPost, c.BaseURL+path, strings.NewReader(string(body)))
		supplier.SignCallback(req.Header, []byte(secret), body, at)
		resp, err := c.HTTP.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	status := func(method, path string) int {
		req, _ := http.NewRequest(method, c.BaseURL+path, nil)
		resp, err := c.HTTP.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	cb := []byte(`{"supplierOrderId":"NOPE-1","trackingNo":"SF1"}`)
	orders, _ := json.Marshal(apptest.Orders("AUTH", 0, 1))
	cases := map[string]struct {
		reason string
		got    func() int
		want   int
	}{
		"callback bad signature": {"a callback signed with another key is refused", func() int { return signed("/v1/suppliers/sup-00/shipments", cb, "wrong", time.Now()) }, 401},
		"callback stale": {"a callback signed long ago is refused", func() int {
			return signed("/v1/suppliers/sup-00/shipments", cb, "callback-sup-00", time.Now().Add(-time.Hour))
		}, 401},
		"callback other supplier": {"a callback signed with another supplier's key is refused", func() int { return signed("/v1/suppliers/sup-00/shipments", cb, "callback-sup-01", time.Now()) }, 401},
		"callback unknown order":  {"a valid callback for an unknown order is 404", func() int { return signed("/v1/suppliers/sup-00/shipments", cb, "callback-sup-00", time.Now()) }, 404},
		"callback invalid body": {"a callback without tracking number is 400", func() int {
			return signed("/v1/suppliers/sup-00/shipments", []byte(`{"supplierOrderId":"x"}`), "callback-sup-00", time.Now())
		}, 400},
		"callback no supplier": {"an unknown supplier has no callback endpoint", func() int { return signed("/v1/suppliers/nobody/shipments", cb, "x", time.Now()) }, 404},
		"intake stale":         {"an intake signature from an hour ago is refused", func() int { return signed("/v1/orders", orders, apptest.IntakeSecret, time.Now().Add(-time.Hour)) }, 401},
		"intake signed":        {"a signed intake is accepted", func() int { return signed("/v1/orders", orders, apptest.IntakeSecret, time.Now()) }, 202},
		"unknown order":        {"looking up an unknown order is 404", func() int { return status(http.MethodGet, "/v1/orders/NOPE") }, 404},
		"replay unknown":       {"replaying an unknown line is 404", func() int { return status(http.MethodPost, "/v1/deadletters/a%2Fb%2Fc/replay") }, 404},
		"healthz":              {"the liveness probe answers", func() int { return status(http.MethodGet, "/healthz") }, 200},
		"bad limit":            {"a dead-letter page over 1000 is refused", func() int { return status(http.MethodGet, "/v1/deadletters?limit=5000") }, 400},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if got := tc.got(); got != tc.want {
				t.Errorf("%s: status %d, want %d", tc.reason, got, tc.want)
			}
		})
	}
}

// TestOrdersFlowWithPostgres runs the intake-to-shipment flow on the PostgreSQL journal
// (a fresh schema of the server DROPSHIP_TEST_POSTGRES_DSN names).
func TestOrdersFlowWithPostgres(t *testing.T) {
	dsn := os.Getenv("DROPSHIP_TEST_POSTGRES_DSN")
	if dsn == "" {
		if os.Getenv("CI") != "" {
			t.Fatal("DROPSHIP_TEST_POSTGRES_DSN is not set, and CI is")
		}
		t.Skip("DROPSHIP_TEST_POSTGRES_DSN is not set (make test sets it)")
	}
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	schema := fmt.Sprintf("dispatcher_app_test_%d", time.Now().UnixNano())
	if _, err := conn.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		t.Fatal(err)
	}
	defer conn.Exec(ctx, "DROP SCHEMA "+schema+" CASCADE") //nolint:errcheck // cleanup
	dsnFile := filepath.Join(t.TempDir(), "dsn")
	sep := "?"
	if strings.Contains(dsn, "?") {
		sep = "&"
	}
	if err := os.WriteFile(dsnFile, []byte(dsn+sep+"search_path="+schema), 0o600); err != nil {
		t.Fatal(err)
	}
	env, d, c := start(t, apptest.Options{Store: config.Store{Type: config.StorePostgres, DSNFile: dsnFile},
		Profile: suppliertest.Profile{ShipDelay: 20 * time.Millisecond}})
	const n = 200
	post(t, c, apptest.Orders("PG", 0, n))
	waitFor(t, d, "every line closed", 30*time.Second, func(c map[order.State]int64) bool { return c[order.StateClosed] == n })
	if accepted, dups, _ := env.Ledger(); accepted != n || dups != 0 {
		t.Errorf("simulators accepted %d orders with %d duplicates, want %d and 0", accepted, dups, n)
	}
}

// TestDailyQuotaSurvivesRestart: a supplier that used up its daily quota gets nothing more
// after a restart, because the restarted dispatcher reads the day's count back from the
// journal. (Within one run the quota is counted at acceptance, so a burst routed before the
// first acceptances may overshoot it.)
func TestDailyQuotaSurvivesRestart(t *testing.T) {
	env, err := apptest.New(apptest.Options{Dir: t.TempDir(), Weights: []int32{1, 1}, Delivery: fastDelivery()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = env.Close() })
	env.Config.Suppliers[0].Capacity.PerDay = 4
	runOnce := func(prefix string) {
		ctx, cancel := context.WithCancel(context.Background())
		d, err := app.New(ctx, env.Config, app.Options{Owner: "test", Listen: "127.0.0.1:0", Log: testr.New(t)})
		if err != nil {
			cancel()
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() { done <- d.Run(ctx) }()
		c := apptest.NewClient(d.Addr())
		before, _, _ := env.Ledger()
		post(t, c, apptest.Orders(prefix, 0, 30))
		deadline := time.Now().Add(20 * time.Second)
		for accepted, _, _ := env.Ledger(); accepted < before+30 && time.Now().Before(deadline); accepted, _, _ = env.Ledger() {
			time.Sleep(20 * time.Millisecond)
		}
		cancel()
		if err := <-done; err != nil {
			t.Errorf("dispatcher stopped with an error: %v", err)
		}
	}
	runOnce("Q1")
	first := env.Fleet.Servers[0].Stats().Accepted
	if first < 4 {
		t.Fatalf("the supplier with a quota of 4 accepted only %d of 30 orders in the first run", first)
	}
	runOnce("Q2")
	if got := env.Fleet.Servers[0].Stats().Accepted; got != first {
		t.Errorf("after a restart the supplier past its daily quota accepted %d more orders", got-first)
	}
}

// TestInvalidSourceOrderIsDeadLettered: an order the ERP source hands over invalid is
// journaled and dead-lettered with its field errors, never delivered.
func TestInvalidSourceOrderIsDeadLettered(t *testing.T) {
	env, d, _ := start(t, apptest.Options{})
	o := apptest.Orders("INV", 0, 1)[0]
	o.Lines[0].Quantity = -1
	o.ShipTo.Address = ""
	if err := d.Pipeline().IntakeInvalid(context.Background(), o); err != nil {
		t.Fatal(err)
	}
	waitFor(t, d, "the invalid line dead-lettered", 10*time.Second, func(c map[order.State]int64) bool { return c[order.StateDeadLettered] == 1 })
	l, err := d.Pipeline().Store().Get(context.Background(), o.Ref(0).ID())
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"shipTo.address", "lines[0].quantity"} {
		if !strings.Contains(l.Reason, want) {
			t.Errorf("reason %q does not name %s", l.Reason, want)
		}
	}
	if _, _, requests := env.Ledger(); requests != 0 {
		t.Errorf("an invalid order reached suppliers (%d requests)", requests)
	}
}

// TestCircuitReopensWithoutWaitingLines: once a failing supplier's circuit period ends it
// gets traffic again, even when no line was left waiting for it to make the probe call.
func TestCircuitReopensWithoutWaitingLines(t *testing.T) {
	env, d, c := start(t, apptest.Options{Weights: []int32{1, 1},
		Delivery: config.Delivery{Timeout: config.D(time.Second),
			Retry: config.Retry{Attempts: 3, Initial: config.D(10 * time.Millisecond), Max: config.D(10 * time.Millisecond)}},
		Adaptive: config.Adaptive{Enabled: true, Window: config.D(time.Second), ConsecutiveFailures: 3,
			BaseEjectionTime: config.D(300 * time.Millisecond), MaxEjectionTime: config.D(300 * time.Millisecond)}})
	down := env.Fleet.Servers[0]
	if err := down.SetPreset(suppliertest.PresetFailing); err != nil {
		t.Fatal(err)
	}
	post(t, c, apptest.Orders("CB1", 0, 6))
	waitFor(t, d, "first batch settled", 20*time.Second, func(c map[order.State]int64) bool {
		return c[order.StateClosed]+c[order.StateDeadLettered] == 6 && c[order.StateDeadLettered] > 0
	})
	if err := down.SetPreset(suppliertest.PresetHealthy); err != nil {
		t.Fatal(err)
	}
	time.Sleep(1500 * time.Millisecond) // the circuit period, the ejection and the health window pass
	before := down.Stats().Accepted
	post(t, c, apptest.Orders("CB2", 0, 40))
	waitFor(t, d, "second batch settled", 20*time.Second, func(c map[order.State]int64) bool {
		return c[order.StateClosed]+c[order.StateDeadLettered] == 46
	})
	if got := down.Stats().Accepted - before; got < 5 {
		t.Errorf("the recovered supplier took %d of 40 new orders, want about half", got)
	}
}

// TestShipmentsByPolling: a supplier in Poll mode is asked for its accepted lines' status
// until they ship (its callbacks find no endpoint here).
func TestShipmentsByPolling(t *testing.T) {
	env, err := apptest.New(apptest.Options{Dir: t.TempDir(), Weights: []int32{1}, Delivery: fastDelivery(),
		Profile: suppliertest.Profile{ShipDelay: 100 * time.Millisecond}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = env.Close() })
	env.Config.Suppliers[0].HTTP.Shipments = config.Shipments{Mode: config.ShipmentsPoll,
		PollURL: "/v1/orders/{{.SupplierOrderID}}", PollInterval: config.D(100 * time.Millisecond),
		ShippedWhen: `data.status == "SHIPPED"`, TrackingNumberPath: "data.trackingNo", CarrierPath: "data.carrier"}
	d := run(t, env.Config, app.Options{Owner: "test", Listen: "127.0.0.1:0", Log: testr.New(t)})
	post(t, apptest.NewClient(d.Addr()), apptest.Orders("POLL", 0, 10))
	waitFor(t, d, "every polled line closed", 20*time.Second, func(c map[order.State]int64) bool { return c[order.StateClosed] == 10 })
	l, err := d.Pipeline().Store().Get(context.Background(), "intake/POLL-4/1")
	if err != nil {
		t.Fatal(err)
	}
	if l.Shipment == nil || l.Shipment.TrackingNo == "" || l.Shipment.Carrier == "" {
		t.Errorf("polled shipment not journaled: %+v", l.Shipment)
	}
	if s := env.Fleet.Servers[0].Stats(); s.StatusQueries == 0 {
		t.Error("the supplier was never polled")
	}
}

// k3cloudConfig is an Env whose source is the K3Cloud simulator at url, with purchase
// orders and tracking written back.
func k3cloudConfig(t *testing.T, url string) (*apptest.Env, *config.DispatcherConfig) {
	t.Helper()
	dir := t.TempDir()
	env, err := apptest.New(apptest.Options{Dir: dir, Delivery: fastDelivery(), Profile: suppliertest.Profile{ShipDelay: 50 * time.Millisecond}})
	if err != nil {
		t.Fatal(err)
	}
	creds := filepath.Join(dir, "erp")
	if err := os.MkdirAll(creds, 0o700); err != nil {
		t.Fatal(err)
	}
	for k, v := range map[string]string{config.SecretKeyUsername: k3cloudtest.DefaultUsername,
		config.SecretKeyAppID: k3cloudtest.DefaultAppID, config.SecretKeyAppSecret: k3cloudtest.DefaultAppSecret} {
		if err := os.WriteFile(filepath.Join(creds, k), []byte(v), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	cfg := env.Config
	cfg.Source = config.Source{Name: "kingdee", K3Cloud: &config.K3CloudSource{
		K3CloudConnection: config.K3CloudConnection{URL: url, AcctID: k3cloudtest.DefaultAcctID,
			Auth: config.K3CloudAuth{Mode: config.K3CloudAuthAppSecret, CredentialsDir: creds}, RatePerSecond: 1000},
		SalesOrders:       config.SalesOrderQuery{Filter: "F_DropShip = 1", PollInterval: config.D(200 * time.Millisecond)},
		PurchaseOrders:    config.PurchaseOrders{Enabled: true, PurchaseOrgNumber: "100"},
		TrackingWriteBack: &config.TrackingWriteBack{TrackingNumberField: "F_TrackingNo", CarrierField: "F_Carrier"},
	}}
	for i := range cfg.Suppliers {
		cfg.Suppliers[i].ERPNumber = fmt.Sprintf("VEN%04d", i+1)
	}
	cfg.Default()
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	return env, cfg
}

// TestERPCancellationCancelsUnsentLines: lines of an order cancelled in the ERP before
// they reached a supplier are cancelled in the journal, with the reason.
func TestERPCancellationCancelsUnsentLines(t *testing.T) {
	erp := k3cloudtest.NewServer(k3cloudtest.Options{})
	url, err := erp.Start()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = erp.Close() })
	if _, err := erp.SeedSalesOrders(k3cloudtest.SeedOptions{Orders: 4, Seed: 3, Span: time.Hour, Start: time.Now().Add(-2 * time.Hour)}); err != nil {
		t.Fatal(err)
	}
	env, cfg := k3cloudConfig(t, url)
	t.Cleanup(func() { _ = env.Close() })
	for i := range cfg.Suppliers {
		cfg.Suppliers[i].Suspend = true // nothing is sent: every line dead-letters as unroutable
	}
	d := run(t, cfg, app.Options{Owner: "test", Listen: "127.0.0.1:0", Log: testr.New(t)})
	sales := erp.Bills("SAL_SaleOrder")
	lines := 0
	for _, b := range sales {
		lines += len(b.Entries)
	}
	waitFor(t, d, "every line dead-lettered", 20*time.Second, func(c map[order.State]int64) bool { return c[order.StateDeadLettered] == int64(lines) })
	if err := erp.CancelSalesOrder(sales[0].Number); err != nil {
		t.Fatal(err)
	}
	n := int64(len(sales[0].Entries))
	waitFor(t, d, "the cancelled order's lines cancelled", 20*time.Second, func(c map[order.State]int64) bool {
		return c[order.StateCancelled] == n && c[order.StateDeadLettered] == int64(lines)-n
	})
	got, err := d.Pipeline().Store().List(context.Background(), store.Filter{BillNo: sales[0].Number})
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range got {
		if l.State != order.StateCancelled || !strings.Contains(l.Reason, "cancelled in the ERP") {
			t.Errorf("line %s: %s %q", l.ID, l.State, l.Reason)
		}
	}
}
