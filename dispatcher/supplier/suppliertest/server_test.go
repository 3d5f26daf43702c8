package suppliertest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/dropship-operator/dropship-operator/dispatcher/order"
	"github.com/dropship-operator/dropship-operator/dispatcher/supplier"
)

// payload is a default-payload body for bill with the given entries.
func payload(t testing.TB, bill, callbackURL string, entries ...string) []byte {
	t.Helper()
	p := supplier.DefaultPayload{CallbackURL: callbackURL, Order: order.Order{Source: "test", BillNo: bill}}
	for _, e := range entries {
		p.Items = append(p.Items, supplier.PayloadItem{EntryID: e, SKU: "SKU-" + e, SupplierSKU: "SKU-" + e, Quantity: 1})
	}
	b, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

type answer struct {
	status int
	header http.Header
	body   apiAnswer
}

func post(t testing.TB, c *http.Client, url, key string, body []byte) answer {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if key != "" {
		req.Header.Set(supplier.HeaderIdempotencyKey, key)
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("POST %s: %v", url, err)
	}
	defer resp.Body.Close()
	var a apiAnswer
	b, _ := io.ReadAll(resp.Body)
	_ = json.Unmarshal(b, &a)
	return answer{resp.StatusCode, resp.Header, a}
}

func TestLedger(t *testing.T) {
	s := Start(t, Options{})
	c := http.DefaultClient
	first := post(t, c, s.OrdersURL(), "k1", payload(t, "B1", "", "1", "2"))
	if first.status != 200 || first.body.OrderID == "" {
		t.Fatalf("first submission: %+v", first)
	}
	replay := post(t, c, s.OrdersURL(), "k1", payload(t, "B1", "", "2", "1"))
	if replay.body.OrderID != first.body.OrderID || replay.header.Get("Idempotent-Replayed") != "true" {
		t.Errorf("replay = %+v, want the same order id %q, marked replayed", replay, first.body.OrderID)
	}
	conflict := post(t, c, s.OrdersURL(), "k1", payload(t, "B1", "", "3"))
	if conflict.status != 422 || conflict.body.Code != CodeKeyConflict {
		t.Errorf("key reused for other lines: %+v, want 422 code %d", conflict, CodeKeyConflict)
	}
	dup := post(t, c, s.OrdersURL(), "k2", payload(t, "B1", "", "2", "4"))
	if dup.status != 200 || dup.body.OrderID == first.body.OrderID {
		t.Errorf("line under a new key: %+v, want a new order", dup)
	}
	missing := post(t, c, s.OrdersURL(), "", payload(t, "B9", "", "1"))
	if missing.status != 400 || missing.body.Code != CodeMissingIdemKey {
		t.Errorf("no key: %+v, want 400", missing)
	}
	bad := post(t, c, s.OrdersURL(), "k3", []byte(`{"order":{}}`))
	if bad.status != 400 {
		t.Errorf("malformed body: %+v, want 400", bad)
	}
	got := s.Stats()
	want := Stats{Name: "supplier", Requests: 6, Accepted: 2, Replays: 1, Duplicates: 1, KeyConflicts: 1, BadRequests: 2, Orders: 2,
		ByStatus: map[string]uint64{"200": 3, "422": 1, "400": 2}}
	got.LatencyP50Millis, got.LatencyP95Millis, got.LatencyP99Millis = 0, 0, 0
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("stats mismatch (-want +got):\n%s", diff)
	}
	e, ok := s.Lookup("k1")
	if !ok || e.Submissions != 2 || len(e.Lines) != 2 || e.Lines[0] != order.LineID("test", "B1", "1") {
		t.Errorf("Lookup(k1) = %+v, %v", e, ok)
	}
}

func TestLedgerConcurrentSameKey(t *testing.T) {
	s := Start(t, Options{})
	const n = 40
	ids := make([]string, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ids[i] = post(t, http.DefaultClient, s.OrdersURL(), "same", payload(t, "B", "", "1")).body.OrderID
		}()
	}
	wg.Wait()
	for _, id := range ids {
		if id != ids[0] || id == "" {
			t.Fatalf("concurrent submissions of one key got ids %q", ids)
		}
	}
	if st := s.Stats(); st.Accepted != 1 || st.Replays != n-1 || st.Duplicates != 0 {
		t.Errorf("accepted/replays/duplicates = %d/%d/%d, want 1/%d/0", st.Accepted, st.Replays, st.Duplicates, n-1)
	}
}

func TestUnknownSKURejected(t *testing.T) {
	s := Start(t, Options{KnownSKUs: []string{"SKU-1"}, RejectStatus: 400})
	a := post(t, http.DefaultClient, s.OrdersURL(), "k", payload(t, "B", "", "1", "2"))
	if a.status != 400 || a.body.Code != CodeUnknownSKU || !strings.Contains(a.body.Message, "SKU-2") {
		t.Errorf("answer = %+v, want 400 code %d naming SKU-2", a, CodeUnknownSKU)
	}
	if st := s.Stats(); st.Rejected != 1 || st.Orders != 0 {
		t.Errorf("rejected/orders = %d/%d, want 1/0", st.Rejected, st.Orders)
	}
}

func TestCallbacksSignedAndRetried(t *testing.T) {
	type got struct {
		cb  supplier.Callback
		err error
	}
	calls := make(chan got, 10)
	var mu sync.Mutex
	attempts := 0
	srvCB := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		attempts++
		n := attempts
		mu.Unlock()
		if n <= 2 {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		b, _ := io.ReadAll(r.Body)
		if err := supplier.VerifyCallback([]byte("cb"), r.Header, b, time.Now()); err != nil {
			calls <- got{err: err}
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		cb, err := supplier.ParseCallback(b)
		calls <- got{cb, err}
	})}
	cbURL := serve(t, srvCB) + "/v1/suppliers/s/shipments"
	s := Start(t, Options{CallbackSecret: "cb", CallbackBackoff: 10 * time.Millisecond, Profile: Profile{ShipDelay: 20 * time.Millisecond}})
	a := post(t, http.DefaultClient, s.OrdersURL(), "k", payload(t, "B", cbURL, "1"))
	select {
	case g := <-calls:
		if g.err != nil {
			t.Fatalf("callback: %v", g.err)
		}
		carrier, no := s.tracking(1)
		want := supplier.Callback{SupplierOrderID: a.body.OrderID, IdempotencyKey: "k", TrackingNo: no, Carrier: carrier}
		g.cb.ShippedAt = time.Time{}
		if diff := cmp.Diff(want, g.cb); diff != "" {
			t.Errorf("callback mismatch (-want +got):\n%s", diff)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no callback within 5s")
	}
	waitFor(t, func() bool {
		st := s.Stats()
		return st.CallbacksSent == 1 && st.CallbacksFailed == 2 && st.CallbacksPending == 0
	})
}

// TestCallbacksInDueOrder: many scheduled callbacks wait in the heap, not in goroutines,
// and go out when due, earliest first.
func TestCallbacksInDueOrder(t *testing.T) {
	var mu sync.Mutex
	var got []string
	cbURL := serve(t, &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		cb, err := supplier.ParseCallback(b)
		if err != nil {
			t.Error(err)
		}
		mu.Lock()
		got = append(got, cb.IdempotencyKey)
		mu.Unlock()
	})})
	s := Start(t, Options{CallbackWorkers: 1})
	for i, d := range []time.Duration{300 * time.Millisecond, 100 * time.Millisecond, 200 * time.Millisecond} {
		if err := s.SetProfile(Profile{ShipDelay: d}); err != nil {
			t.Fatal(err)
		}
		post(t, http.DefaultClient, s.OrdersURL(), fmt.Sprint("k", i), payload(t, fmt.Sprint("B", i), cbURL, "1"))
	}
	if st := s.Stats(); st.CallbacksPending != 3 {
		t.Errorf("pending = %d right after accepting, want 3", st.CallbacksPending)
	}
	waitFor(t, func() bool { return s.Stats().CallbacksSent == 3 })
	mu.Lock()
	defer mu.Unlock()
	if diff := cmp.Diff([]string{"k1", "k2", "k0"}, got); diff != "" {
		t.Errorf("callback order (-want +got):\n%s", diff)
	}
}

func TestCallbacksAbandoned(t *testing.T) {
	s := Start(t, Options{CallbackAttempts: 3, CallbackBackoff: time.Millisecond})
	post(t, http.DefaultClient, s.OrdersURL(), "k", payload(t, "B", "http://127.0.0.1:1/cb", "1"))
	waitFor(t, func() bool {
		st := s.Stats()
		return st.CallbacksAbandoned == 1 && st.CallbacksFailed == 3 && st.CallbacksSent == 0
	})
}

func TestAdminAPI(t *testing.T) {
	s := Start(t, Options{Name: "sup-a", Profile: Profile{Latency: time.Millisecond}})
	do := func(method, path, body string) (int, string) {
		req, _ := http.NewRequest(method, s.URL()+path, strings.NewReader(body))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, body := do("PUT", "/_sim/profile", `{"latency":"2ms","errorRate":1,"errorStatus":502,"shipDelay":"1h"}`); code != 200 {
		t.Fatalf("PUT profile: %d %s", code, body)
	}
	if diff := cmp.Diff(Profile{Latency: 2 * time.Millisecond, ErrorRate: 1, ErrorStatus: 502, ShipDelay: time.Hour}, s.Profile()); diff != "" {
		t.Errorf("profile after PUT (-want +got):\n%s", diff)
	}
	if a := post(t, http.DefaultClient, s.OrdersURL(), "k", payload(t, "B", "", "1")); a.status != 502 {
		t.Errorf("submission under errorRate 1: %d, want 502", a.status)
	}
	if code, _ := do("PUT", "/_sim/profile", `{"errorRate":2}`); code != 400 {
		t.Errorf("PUT of an invalid profile: %d, want 400", code)
	}
	if code, _ := do("POST", "/_sim/profile/healthy", ""); code != 200 {
		t.Errorf("POST preset healthy: %d", code)
	}
	if diff := cmp.Diff(Profile{Latency: time.Millisecond}, s.Profile()); diff != "" {
		t.Errorf("healthy preset is not the base profile (-want +got):\n%s", diff)
	}
	if code, _ := do("POST", "/_sim/profile/sideways", ""); code != 404 {
		t.Errorf("unknown preset: %d, want 404", code)
	}
	post(t, http.DefaultClient, s.OrdersURL(), "k", payload(t, "B", "", "1"))
	code, body := do("GET", "/_sim/stats", "")
	var st Stats
	if err := json.Unmarshal([]byte(body), &st); code != 200 || err != nil {
		t.Fatalf("GET stats: %d %s %v", code, body, err)
	}
	if st.Name != "sup-a" || st.Accepted != 1 || st.InjectedErrors != 1 || st.ByStatus["502"] != 1 || st.LatencyP95Millis <= 0 {
		t.Errorf("stats = %+v", st)
	}
	if code, body := do("GET", "/_sim/ledger?idempotencyKey=k", ""); code != 200 || !strings.Contains(body, `"orderId":"SIMSUPA-1"`) {
		t.Errorf("GET ledger: %d %s", code, body)
	}
	do("POST", "/_sim/reset", "")
	if st := s.Stats(); st.Requests != 0 || st.Orders != 0 {
		t.Errorf("after reset: %+v", st)
	}
}

func TestPresets(t *testing.T) {
	base := Profile{Latency: 10 * time.Millisecond, ShipDelay: time.Minute}
	for _, name := range []string{PresetHealthy, PresetSlow, PresetFailing, PresetDown, PresetThrottled, PresetFlaky} {
		p, err := Preset(name, base)
		if err != nil || p.Validate() != nil || p.ShipDelay != time.Minute {
			t.Errorf("Preset(%q) = %+v, %v", name, p, err)
		}
	}
	if p, _ := Preset(PresetFailing, base); p.ErrorRate != 1 {
		t.Errorf("failing preset error rate %v, want 1", p.ErrorRate)
	}
}

func TestFaultRates(t *testing.T) {
	s := Start(t, Options{Profile: Profile{ErrorRate: 0.3, ThrottleRate: 0.1, RetryAfter: 2 * time.Second}})
	const n = 1000
	for i := range n {
		post(t, http.DefaultClient, s.OrdersURL(), fmt.Sprint("k", i), payload(t, fmt.Sprint("B", i), "", "1"))
	}
	st := s.Stats()
	// Binomial bounds at about six standard deviations: this fails only when rates are wrong.
	if st.InjectedErrors < 210 || st.InjectedErrors > 390 || st.Throttled < 45 || st.Throttled > 160 {
		t.Errorf("errors/throttled = %d/%d of %d, want about 300/100", st.InjectedErrors, st.Throttled, n)
	}
	if st.Accepted+st.InjectedErrors+st.Throttled != n || st.ByStatus["429"] != st.Throttled {
		t.Errorf("stats do not add up: %+v", st)
	}
}

func TestLatency(t *testing.T) {
	s := Start(t, Options{Profile: Profile{Latency: 40 * time.Millisecond, Jitter: 20 * time.Millisecond}})
	for i := range 20 {
		post(t, http.DefaultClient, s.OrdersURL(), fmt.Sprint("k", i), payload(t, fmt.Sprint("B", i), "", "1"))
	}
	st := s.Stats()
	if st.LatencyP50Millis < 40 || st.LatencyP95Millis > 200 {
		t.Errorf("p50/p95 = %v/%v ms, want p50 ≥ 40 and p95 well under 200", st.LatencyP50Millis, st.LatencyP95Millis)
	}
}

func TestShutdownReleasesHangingRequests(t *testing.T) {
	s, err := NewServer(Options{Profile: Profile{TimeoutRate: 1}, HangLimit: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	errc := make(chan error, 1)
	go func() {
		req, _ := http.NewRequest(http.MethodPost, s.OrdersURL(), bytes.NewReader(payload(t, "B", "", "1")))
		req.Header.Set(supplier.HeaderIdempotencyKey, "k")
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			resp.Body.Close()
		}
		errc <- err
	}()
	waitFor(t, func() bool { return s.LastIdempotencyKey() == "k" })
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	start := time.Now()
	if err := s.Shutdown(ctx); err != nil {
		t.Fatalf("Shutdown: %v", err)
	}
	if took := time.Since(start); took > 2*time.Second {
		t.Errorf("Shutdown took %v with a hanging request", took)
	}
	select {
	case err := <-errc:
		if err == nil {
			t.Error("the hanging client got an answer, want its connection closed")
		}
	case <-time.After(3 * time.Second):
		t.Fatal("the hanging client was not released")
	}
}

func TestHistogram(t *testing.T) {
	for _, us := range []uint64{0, 1, 15, 16, 17, 31, 32, 33, 100, 1000, 123456, 1 << 40} {
		b := bucketOf(us)
		if bucketUpper(b) < us || (b > 0 && bucketUpper(b-1) >= us) {
			t.Errorf("value %d in bucket %d with upper %d (previous upper %d)", us, b, bucketUpper(b), bucketUpper(b-1))
		}
	}
	var h histogram
	for i := 1; i <= 100; i++ {
		h.observe(time.Duration(i) * time.Millisecond)
	}
	for q, want := range map[float64]float64{0.5: 50, 0.95: 95, 0.99: 99} {
		if got := h.quantile(q); got < want || got > want*1.05 {
			t.Errorf("quantile(%v) = %v, want %v within 5%%", q, got, want)
		}
	}
}

// serve runs srv on a loopback port until the test ends and returns its base URL.
func serve(t *testing.T, srv *http.Server) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	return "http://" + ln.Addr().String()
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met within 5s")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestShutdownIsGraceful: a request in its injected latency is answered, not cut.
func TestShutdownIsGraceful(t *testing.T) {
	s, err := NewServer(Options{Profile: Profile{Latency: 300 * time.Millisecond}})
	if err != nil {
		t.Fatal(err)
	}
	status := make(chan int, 1)
	go func() {
		req, _ := http.NewRequest(http.MethodPost, s.OrdersURL(), bytes.NewReader(payload(t, "B", "", "1")))
		req.Header.Set(supplier.HeaderIdempotencyKey, "k")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			status <- 0
			return
		}
		resp.Body.Close()
		status <- resp.StatusCode
	}()
	waitFor(t, func() bool { return s.LastIdempotencyKey() == "k" })
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	if err := s.Shutdown(ctx); err != nil {
		t.Fatalf("Shutdown: %v", err)
	}
	if got := <-status; got != http.StatusOK {
		t.Errorf("the request in flight got %d, want 200", got)
	}
}
