package health

import (
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/dropship-operator/dropship-operator/dispatcher/config"
)

func TestWindowFigures(t *testing.T) {
	c := newClock(t0)
	cfg := testConfig()
	cfg.Adaptive.ConsecutiveFailures = 1000
	tr := newTracker(t, cfg, c)
	for i := range 20 {
		tr.Record("a", Success, time.Duration(i+1)*10*time.Millisecond, nil)
	}
	record(tr, "a", Throttled, 5)
	record(tr, "a", Rejected, 3)
	tr.Record("a", Transient, 0, nil)
	tr.Record("a", Timeout, 0, nil)
	s := tr.Snapshot("a")
	got := struct {
		Requests                            int64
		Success, Failure, Throttled, Reject float64
		P50, P95                            int64
		Consecutive                         int
		LastSuccess                         time.Time
	}{s.Requests, s.SuccessRate, s.FailureRate, s.ThrottledRate, s.RejectedRate, s.P50LatencyMillis, s.P95LatencyMillis, s.ConsecutiveFailures, s.LastSuccessTime}
	want := got
	want.Requests, want.Success, want.Failure, want.Throttled, want.Reject = 30, 20.0/30, 2.0/30, 5.0/30, 3.0/30
	// Latencies: 10..200ms (20 successes), 20ms ×3 rejected, transient/timeout without latency.
	want.P50, want.P95 = 90, 190
	want.Consecutive, want.LastSuccess = 2, t0
	if diff := cmp.Diff(want, got, cmp.Comparer(func(x, y int64) bool { return x == y || abs(x-y)*100 <= 5*max(x, y) })); diff != "" {
		t.Errorf("figures (-want +got):\n%s", diff)
	}
}

func abs(x int64) int64 { return max(x, -x) }

func TestWindowSlides(t *testing.T) {
	c := newClock(t0)
	tr := newTracker(t, testConfig(), c)
	record(tr, "a", Success, 10)
	c.Advance(3 * time.Minute)
	record(tr, "a", Transient, 2) // consecutive 2 < 3: no ejection
	if got := tr.Snapshot("a").Requests; got != 12 {
		t.Fatalf("within the window: requests = %d, want 12", got)
	}
	c.Advance(2*time.Minute + time.Second)
	if got := tr.Snapshot("a").Requests; got != 2 {
		t.Errorf("after the first batch left the 5m window: requests = %d, want 2", got)
	}
	c.Advance(5 * time.Minute)
	if got := tr.Snapshot("a").Requests; got != 0 {
		t.Errorf("after the whole window passed: requests = %d, want 0", got)
	}
}

func TestCapacityCalendar(t *testing.T) {
	c := newClock(t0) // 10:00 Shanghai
	tr := newTracker(t, testConfig(), c)
	for range 4 {
		tr.RecordAccepted("a", c.Now())
	}
	s := tr.Snapshot("a")
	got := []any{s.BusinessDay, s.AfterCutoff, s.OrdersToday, *s.CapacityRemainingToday, s.OrdersThisHour, *s.CapacityRemainingThisHour}
	if diff := cmp.Diff([]any{"2026-11-24", false, int64(4), int64(96), int64(4), int64(6)}, got); diff != "" {
		t.Errorf("at 10:00 (-want +got):\n%s", diff)
	}
	c.Advance(6*time.Hour + 45*time.Minute) // 16:45: business day is tomorrow
	tr.RecordAccepted("a", c.Now())
	tr.RecordAccepted("a", t0) // a late record for the previous business day is dropped
	s = tr.Snapshot("a")
	got = []any{s.BusinessDay, s.AfterCutoff, s.OrdersToday, *s.CapacityRemainingToday, s.OrdersThisHour}
	if diff := cmp.Diff([]any{"2026-11-25", true, int64(1), int64(99), int64(1)}, got); diff != "" {
		t.Errorf("at 16:45 (-want +got):\n%s", diff)
	}
	c.Advance(time.Hour) // 17:45
	if s := tr.Snapshot("a"); s.OrdersThisHour != 0 || s.OrdersToday != 1 {
		t.Errorf("next hour: this hour %d today %d, want 0 1", s.OrdersThisHour, s.OrdersToday)
	}
	tr.SetOrderCounts("b", c.Now(), 100, 3)
	if s := tr.Snapshot("b"); *s.CapacityRemainingToday != 0 || *s.CapacityRemainingThisHour != 7 {
		t.Errorf("seeded: remaining %d/%d, want 0/7", *s.CapacityRemainingToday, *s.CapacityRemainingThisHour)
	}
}

func TestShipLag(t *testing.T) {
	c := newClock(t0)
	tr := newTracker(t, testConfig(), c)
	for i := range 10 {
		tr.RecordShipment("a", t0.Add(-time.Duration(90+i)*time.Hour), t0)
	}
	s := tr.Snapshot("a")
	if s.ShipLagSamples != 10 || s.ShipLagP95.Hours() < 94 || s.ShipLagP95.Hours() > 104 {
		t.Fatalf("ship lag: %d samples p95 %v, want 10 and ≈99h", s.ShipLagSamples, s.ShipLagP95)
	}
	// 99h > 48h × 1.5 = 72h: slow-ship factor ≈ 72/99.
	if f := s.Factors.SlowShip; f < 0.69 || f > 0.76 {
		t.Errorf("slow-ship factor %.3f, want ≈0.73", f)
	}
	c.Advance(25 * time.Hour)
	if s := tr.Snapshot("a"); s.ShipLagSamples != 0 {
		t.Errorf("after the ship window: %d samples, want 0", s.ShipLagSamples)
	}
}

func TestUnknownSupplierAndSuspend(t *testing.T) {
	cfg := testConfig()
	cfg.Suppliers[3].Suspend = true
	tr := newTracker(t, cfg, newClock(t0))
	tr.Record("zz", Success, time.Millisecond, nil)
	if s := tr.Snapshot("zz"); s.Requests != 1 || s.State != StateActive {
		t.Errorf("unlisted supplier: requests %d state %s", s.Requests, s.State)
	}
	if s := tr.Snapshot("d"); s.State != StateSuspended {
		t.Errorf("suspended supplier: state %s", s.State)
	}
	tr.SetCircuit("a", CircuitOpen)
	if got := tr.Snapshots()["a"].Circuit; got != CircuitOpen {
		t.Errorf("circuit %s, want Open", got)
	}
}

// TestConcurrentRecording runs under -race in CI: many writers, readers and an ejection
// race must neither corrupt counts nor deadlock.
func TestConcurrentRecording(t *testing.T) {
	cfg := testConfig()
	cfg.Adaptive.ConsecutiveFailures = 2
	tr := newTracker(t, cfg, newClock(t0))
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 500 {
				name := []string{"a", "b", "c", "d"}[(g+i)%4]
				o := Success
				if g%2 == 0 {
					o = Transient
				}
				tr.Record(name, o, time.Millisecond, nil)
				if i%50 == 0 {
					_ = tr.Snapshots()
				}
			}
		})
	}
	wg.Wait()
	var total int64
	ejected := 0
	for _, s := range tr.Snapshots() {
		total += s.Requests
		if s.State == StateEjected {
			ejected++
		}
	}
	if total != 4000 || ejected > 2 {
		t.Errorf("total %d (want 4000), ejected %d (want ≤ 2)", total, ejected)
	}
}

func TestNewRejectsBadCalendar(t *testing.T) {
	cases := map[string]config.Capacity{
		"time zone": {Timezone: "Mars/Olympus_Mons"},
		"cutoff":    {Cutoff: "25:00"},
	}
	for name, capacity := range cases {
		cfg := testConfig()
		cfg.Suppliers[1].Capacity = capacity
		if _, err := New(cfg, Options{}); err == nil || !strings.Contains(err.Error(), `supplier "b"`) {
			t.Errorf("%s: err = %v, want an error naming supplier \"b\"", name, err)
		}
	}
}
