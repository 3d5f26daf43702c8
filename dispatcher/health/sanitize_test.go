package health

import (
	"context"
	"errors"
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/dropship-operator/dropship-operator/dispatcher/supplier"
)

func TestSanitize(t *testing.T) {
	cases := map[string]struct {
		reason string
		in     string
		want   string
	}{
		"plain":    {"nothing to hide", "HTTP 503: upstream unavailable", "HTTP 503: upstream unavailable"},
		"phone":    {"mobile numbers are masked", "bad phone 13812345678 in order", "bad phone 138****5678 in order"},
		"token":    {"credentials after a key word", `auth failed: token=abc123secret&x=1`, `auth failed: token=***&x=1`},
		"json key": {"JSON-style secrets", `{"appSecret":"s3cr3t","code":1}`, `{"appSecret":"***","code":1}`},
		"bearer":   {"authorization headers", "Authorization: Bearer eyJhbGciOi", "Authorization: ***"},
		"address":  {"street addresses are cut", "地址无效: 广东省深圳市南山区科技园路1号", "地址无效: 广东省深圳市…"},
		"control":  {"newlines flattened", "line1\nline2", "line1 line2"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if got := Sanitize(tc.in); got != tc.want {
				t.Errorf("%s: Sanitize(%q) = %q, want %q", tc.reason, tc.in, got, tc.want)
			}
		})
	}
	long := Sanitize(strings.Repeat("错", 1000))
	if n := utf8.RuneCountInString(long); n != MaxErrorLength {
		t.Errorf("truncated to %d runes, want %d", n, MaxErrorLength)
	}
}

// TestLastErrorSanitised: what a Tracker stores is sanitised.
func TestLastErrorSanitised(t *testing.T) {
	tr := newTracker(t, testConfig(), newClock(t0))
	tr.Record("a", Rejected, 0, errors.New("收货人电话 13912345678 无效, signature=deadbeef"))
	got := tr.Snapshot("a").LastError
	for _, leak := range []string{"13912345678", "deadbeef"} {
		if strings.Contains(got, leak) {
			t.Errorf("lastError %q leaks %q", got, leak)
		}
	}
}

type timeoutErr struct{}

func (timeoutErr) Error() string { return "i/o timeout" }
func (timeoutErr) Timeout() bool { return true }

func TestOutcomeOf(t *testing.T) {
	cases := map[string]struct {
		err  error
		want Outcome
	}{
		"nil":       {nil, Success},
		"throttled": {&supplier.Error{Kind: supplier.Throttled, StatusCode: 429}, Throttled},
		"rejected":  {fmt.Errorf("cannot submit: %w", &supplier.Error{Kind: supplier.Rejected}), Rejected},
		"5xx":       {&supplier.Error{Kind: supplier.Transient, StatusCode: 503}, Transient},
		"deadline":  {fmt.Errorf("post: %w", context.DeadlineExceeded), Timeout},
		"io":        {os.ErrDeadlineExceeded, Timeout},
		"net":       {timeoutErr{}, Timeout},
		"other":     {errors.New("connection refused"), Transient},
	}
	for name, tc := range cases {
		if got := OutcomeOf(tc.err); got != tc.want {
			t.Errorf("%s: OutcomeOf = %s, want %s", name, got, tc.want)
		}
	}
}

var mobileRe = regexp.MustCompile(`1[3-9]\d{9}`)

// FuzzSanitize: any input gives a bounded, single-line result without a whole mobile
// number in it.
func FuzzSanitize(f *testing.F) {
	for _, s := range []string{"token=abc", "13812345678", "地址: 广东省深圳市南山区科技园路1号", "a\x00b", strings.Repeat("x", 300)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		out := Sanitize(in)
		if n := utf8.RuneCountInString(out); n > MaxErrorLength {
			t.Errorf("%d runes > %d", n, MaxErrorLength)
		}
		if strings.ContainsAny(out, "\n\r") {
			t.Errorf("control characters survive: %q", out)
		}
		if m := mobileRe.FindString(in); m != "" && strings.Contains(out, m) && !strings.Contains(in, "*") {
			t.Errorf("mobile %s survives in %q", m, out)
		}
	})
}
