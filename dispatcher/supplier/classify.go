package supplier

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/dropship-operator/dropship-operator/dispatcher/order"
)

// classify turns a non-2xx answer into an *Error.
func (ans *answer) classify(msgPath string, now time.Time) *Error {
	e := &Error{StatusCode: ans.status, Response: ans.kept, Message: ans.message(msgPath, http.StatusText(ans.status))}
	switch {
	case ans.status == http.StatusTooManyRequests:
		e.Kind = Throttled
		e.RetryAfter = ParseRetryAfter(ans.header.Get("Retry-After"), now)
	case ans.status == http.StatusRequestTimeout, ans.status >= 500:
		e.Kind = Transient
		if ans.status == http.StatusServiceUnavailable {
			e.RetryAfter = ParseRetryAfter(ans.header.Get("Retry-After"), now)
		}
	default:
		e.Kind = Rejected
	}
	return e
}

// ParseRetryAfter reads a Retry-After header: delay seconds or an HTTP date. It returns 0
// when the header is missing, malformed or in the past.
func ParseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
		const maxSecs = 365 * 24 * 3600
		switch {
		case secs < 0:
			return 0
		case secs > maxSecs:
			secs = maxSecs
		}
		return time.Duration(secs) * time.Second
	} else if errors.Is(err, strconv.ErrRange) && !strings.HasPrefix(v, "-") {
		return 365 * 24 * time.Hour
	}
	t, err := http.ParseTime(v)
	if err != nil {
		return 0
	}
	if d := t.Sub(now); d > 0 {
		return d.Round(time.Second)
	}
	return 0
}

// transportMessage describes a transport failure in a few words.
func transportMessage(err error) string {
	var ne net.Error
	switch {
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &ne) && ne.Timeout():
		return "timed out"
	case errors.Is(err, context.Canceled):
		return "cancelled"
	}
	return "connection failed"
}

// redactURL drops the query (it may carry a key) from a *url.Error.
func redactURL(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		if u, perr := url.Parse(ue.URL); perr == nil {
			u.RawQuery, u.User, u.Fragment = "", nil, ""
			return &url.Error{Op: ue.Op, URL: u.String(), Err: ue.Err}
		}
	}
	return err
}

// truncate cuts s to at most n bytes on a rune boundary, marking the cut.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…(truncated)"
}

// scrubPII masks the consignee's phone, address and name wherever a supplier's answer
// repeats them (order.MaskPhone, MaskAddress, MaskName).
func scrubPII(s string, o *order.Order) string {
	if s == "" {
		return s
	}
	for _, r := range []struct{ v, masked string }{
		{o.ShipTo.Phone, order.MaskPhone(o.ShipTo.Phone)},
		{o.ShipTo.Address, order.MaskAddress(o.ShipTo.Address)},
		{o.ShipTo.Name, order.MaskName(o.ShipTo.Name)},
	} {
		if utf8.RuneCountInString(r.v) >= 2 && strings.Contains(s, r.v) {
			s = strings.ReplaceAll(s, r.v, r.masked)
		}
	}
	return s
}
