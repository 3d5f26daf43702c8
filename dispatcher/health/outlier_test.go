package health

import (
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/dropship-operator/dropship-operator/dispatcher/config"
)

func TestEjectionLifecycle(t *testing.T) {
	c := newClock(t0)
	tr := newTracker(t, testConfig(), c)
	fail := errors.New("HTTP 503 from upstream")
	for range 3 {
		tr.Record("a", Transient, time.Millisecond, fail)
	}
	s := tr.Snapshot("a")
	if s.State != StateEjected || s.EjectionCount != 1 || !s.EjectedUntil.Equal(t0.Add(time.Minute)) || s.EjectionReason != EjectedConsecutiveFailures {
		t.Fatalf("after 3 consecutive failures: state %s count %d until %v reason %q; want Ejected 1 %v ConsecutiveFailures",
			s.State, s.EjectionCount, s.EjectedUntil, s.EjectionReason, t0.Add(time.Minute))
	}
	if s.LastError != "HTTP 503 from upstream" {
		t.Errorf("lastError = %q", s.LastError)
	}
	c.Advance(time.Minute)
	if s := tr.Snapshot("a"); s.State != StateActive {
		t.Fatalf("after the ejection expired: state %s, want Active", s.State)
	}
	// Second ejection lasts twice as long; the third is capped at MaxEjectionTime (3m).
	wantDur := []time.Duration{2 * time.Minute, 3 * time.Minute, 3 * time.Minute}
	for i, d := range wantDur {
		record(tr, "a", Timeout, 3)
		s := tr.Snapshot("a")
		if got := s.EjectedUntil.Sub(c.Now()); s.State != StateEjected || got != d || s.EjectionCount != i+2 {
			t.Fatalf("ejection %d: state %s lasts %v count %d, want Ejected %v %d", i+2, s.State, got, s.EjectionCount, d, i+2)
		}
		c.Advance(d)
	}
	// The multiplier decays by one per full window (5m) without ejection.
	c.Advance(10 * time.Minute)
	if got := tr.Snapshot("a").EjectionCount; got != 2 {
		t.Errorf("after two quiet windows: ejection count %d, want 2", got)
	}
}

func TestFailurePercentNeedsVolume(t *testing.T) {
	cases := map[string]struct {
		reason      string
		ok, fail    int
		penalize    bool
		throttled   int
		wantState   State
		wantInconcl bool
	}{
		"under volume":             {"9 requests < minRequests 10: no verdict", 4, 0, true, 5, StateActive, true},
		"above threshold":          {"5 of 10 failed = 50%", 5, 0, true, 5, StateEjected, false},
		"throttling not penalised": {"429s are not failures when not penalised", 5, 0, false, 5, StateActive, false},
		"below threshold":          {"4 of 10 failed", 6, 0, true, 4, StateActive, false},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			cfg := testConfig()
			cfg.Adaptive.PenalizeThrottling = tc.penalize
			cfg.Adaptive.ConsecutiveFailures = 1000
			c := newClock(t0)
			tr := newTracker(t, cfg, c)
			// Interleave so consecutive failures never trip.
			for i := range max(tc.ok, tc.throttled) {
				if i < tc.throttled {
					tr.Record("a", Throttled, 0, nil)
				}
				if i < tc.ok {
					tr.Record("a", Success, time.Millisecond, nil)
				}
			}
			s := tr.Snapshot("a")
			if s.State != tc.wantState || s.Inconclusive != tc.wantInconcl {
				t.Errorf("%s: state %s inconclusive %v, want %s %v", tc.reason, s.State, s.Inconclusive, tc.wantState, tc.wantInconcl)
			}
		})
	}
}

func TestMaxEjectionPercent(t *testing.T) {
	c := newClock(t0)
	tr := newTracker(t, testConfig(), c) // 4 suppliers, 50% → at most 2 ejected
	for _, n := range []string{"a", "b", "c"} {
		record(tr, n, Transient, 3)
	}
	var states []State
	for _, n := range []string{"a", "b", "c", "d"} {
		states = append(states, tr.Snapshot(n).State)
	}
	if diff := cmp.Diff([]State{StateEjected, StateEjected, StateActive, StateActive}, states); diff != "" {
		t.Errorf("states (-want +got):\n%s", diff)
	}
	if s := tr.Snapshot("c"); !s.EjectionSuppressed || s.EjectionCount != 0 {
		t.Errorf("c: suppressed %v count %d, want true 0", s.EjectionSuppressed, s.EjectionCount)
	}
	// Once a's ejection ends, c's next failure ejects it.
	c.Advance(time.Minute)
	tr.Record("c", Transient, 0, nil)
	if s := tr.Snapshot("c"); s.State != StateEjected {
		t.Errorf("c after a recovered: %s, want Ejected", s.State)
	}
}

// TestRecoveryJudgedOnFreshCalls: after an ejection by failure percentage, the failures
// that caused it do not eject the supplier again on its first call back (Envoy resets its
// counters when a host returns).
func TestRecoveryJudgedOnFreshCalls(t *testing.T) {
	cfg := testConfig()
	cfg.Adaptive.ConsecutiveFailures = 1000
	c := newClock(t0)
	tr := newTracker(t, cfg, c)
	record(tr, "a", Transient, 10)
	if s := tr.Snapshot("a"); s.State != StateEjected || s.EjectionReason != EjectedFailurePercent {
		t.Fatalf("10 of 10 failed: state %s reason %q, want Ejected FailurePercent", s.State, s.EjectionReason)
	}
	c.Advance(time.Minute)
	tr.Record("a", Transient, 0, nil)
	s := tr.Snapshot("a")
	if s.State != StateActive {
		t.Errorf("first failure after the return: state %s, want Active (1 fresh call < minRequests)", s.State)
	}
	if s.Requests != 11 || s.FailureRate != 1 {
		t.Errorf("the status figures still cover the whole window: requests %d failure rate %v, want 11 1", s.Requests, s.FailureRate)
	}
	record(tr, "a", Transient, 9)
	if s := tr.Snapshot("a"); s.State != StateEjected || s.EjectionCount != 2 {
		t.Errorf("10 fresh failures: state %s count %d, want Ejected 2", s.State, s.EjectionCount)
	}
}

func TestPeerGroups(t *testing.T) {
	cfg := testConfig()
	cfg.Rules = append(cfg.Rules, config.Rule{Name: "two", Tiers: []config.Tier{
		{Suppliers: []config.WeightedSupplier{{Name: "b", Weight: 1}}},
		{Suppliers: []config.WeightedSupplier{{Name: "c", Weight: 1}, {Name: "b", Weight: 1}}},
	}})
	want := [][]string{{"a", "b", "c", "d"}, {"b", "c"}}
	if diff := cmp.Diff(want, PeerGroups(cfg)); diff != "" {
		t.Errorf("peer groups (-want +got):\n%s", diff)
	}
	// In rule "two" only one of b, c may be out (50% of 2).
	tr := newTracker(t, cfg, newClock(t0))
	record(tr, "b", Transient, 3)
	record(tr, "c", Transient, 3)
	if b, c := tr.Snapshot("b").State, tr.Snapshot("c").State; b != StateEjected || c != StateActive {
		t.Errorf("b %s c %s, want Ejected Active", b, c)
	}
}
