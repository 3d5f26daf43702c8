package delivery

import (
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/dropship-operator/dropship-operator/dispatcher/config"
	"github.com/dropship-operator/dropship-operator/dispatcher/supplier"
)

func TestBackoff(t *testing.T) {
	p := config.Retry{Initial: config.D(time.Second), Max: config.D(10 * time.Second), Jitter: 0.2}
	cases := map[string]struct {
		reason  string
		attempt int
		r       float64
		want    time.Duration
	}{
		"first":        {"the first retry waits Initial", 1, 0.5, time.Second},
		"doubles":      {"each retry doubles", 3, 0.5, 4 * time.Second},
		"capped":       {"the delay never exceeds Max", 10, 0.5, 10 * time.Second},
		"jitter low":   {"r=0 takes Jitter off", 2, 0, 1600 * time.Millisecond},
		"jitter high":  {"r=1 adds Jitter", 2, 1, 2400 * time.Millisecond},
		"jitter cap":   {"jitter never pushes past Max", 20, 1, 10 * time.Second},
		"zero attempt": {"attempt 0 counts as the first", 0, 0.5, time.Second},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if got := Backoff(p, tc.attempt, tc.r); got != tc.want {
				t.Errorf("%s: Backoff(%d, %v) = %v, want %v", tc.reason, tc.attempt, tc.r, got, tc.want)
			}
		})
	}
}

func TestRetryDelay(t *testing.T) {
	d := config.Delivery{Retry: config.Retry{Initial: config.D(time.Second), Max: config.D(time.Minute)},
		RetryAfterMax: config.D(30 * time.Second)}
	cases := map[string]struct {
		reason string
		err    error
		want   time.Duration
	}{
		"retry-after honoured": {"a 429 with Retry-After waits it", &supplier.Error{Kind: supplier.Throttled, RetryAfter: 7 * time.Second}, 7 * time.Second},
		"retry-after capped":   {"Retry-After is capped at RetryAfterMax", &supplier.Error{Kind: supplier.Throttled, RetryAfter: time.Hour}, 30 * time.Second},
		"429 without header":   {"a 429 without Retry-After backs off", &supplier.Error{Kind: supplier.Throttled}, 2 * time.Second},
		"5xx":                  {"a transient error backs off", &supplier.Error{Kind: supplier.Transient, RetryAfter: time.Hour}, 2 * time.Second},
		"plain error":          {"an unclassified error backs off", errors.New("boom"), 2 * time.Second},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got := RetryDelay(d, 2, tc.err, 0.5)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("%s (-want +got):\n%s", tc.reason, diff)
			}
		})
	}
}
