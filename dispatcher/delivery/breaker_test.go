package delivery

import (
	"testing"
	"time"
)

func TestBreaker(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	b := &Breaker{Threshold: 3, OpenFor: 10 * time.Second, MaxOpenFor: 15 * time.Second}
	step := func(what string, got, want BreakerState) {
		t.Helper()
		if got != want {
			t.Fatalf("%s: state %v, want %v", what, got, want)
		}
	}
	b.Failure(t0)
	b.Failure(t0)
	step("two failures stay under the threshold", b.State(t0), BreakerClosed)
	if opened := b.Failure(t0); !opened {
		t.Fatal("the third consecutive failure did not open the breaker")
	}
	step("threshold reached", b.State(t0), BreakerOpen)
	if ok, until := b.Allow(t0.Add(time.Second)); ok || !until.Equal(t0.Add(10*time.Second)) {
		t.Fatalf("open breaker allowed a call (ok=%v until=%v)", ok, until)
	}
	t1 := t0.Add(11 * time.Second)
	step("open period over", b.State(t1), BreakerHalfOpen)
	if ok, _ := b.Allow(t1); !ok {
		t.Fatal("half-open breaker refused the probe")
	}
	if ok, _ := b.Allow(t1); ok {
		t.Fatal("half-open breaker allowed a second call while probing")
	}
	b.Failure(t1)
	step("failed probe reopens", b.State(t1), BreakerOpen)
	if ok, until := b.Allow(t1.Add(14 * time.Second)); ok || !until.Equal(t1.Add(15*time.Second)) {
		t.Fatalf("second opening should last 2×OpenFor capped at MaxOpenFor: ok=%v until=%v", ok, until)
	}
	t2 := t1.Add(16 * time.Second)
	if ok, _ := b.Allow(t2); !ok {
		t.Fatal("probe refused after the second open period")
	}
	b.Success()
	step("successful probe closes", b.State(t2), BreakerClosed)
	b.Failure(t2)
	b.Success()
	b.Failure(t2)
	b.Failure(t2)
	step("a success resets the consecutive count", b.State(t2), BreakerClosed)
}
