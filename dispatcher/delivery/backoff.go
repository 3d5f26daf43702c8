package delivery

import (
	"time"

	"github.com/dropship-operator/dropship-operator/dispatcher/config"
	"github.com/dropship-operator/dropship-operator/dispatcher/supplier"
)

// Backoff returns the delay before retry number attempt (1 for the first retry) of an
// exponential backoff: Initial × 2^(attempt-1), capped at Max, with ±Jitter of it
// randomised by r (a number in [0,1)).
func Backoff(p config.Retry, attempt int, r float64) time.Duration {
	initial := p.Initial.Or(config.DefaultRetryInitial)
	max := p.Max.Or(config.DefaultRetryMax)
	if attempt < 1 {
		attempt = 1
	}
	d := initial
	for i := 1; i < attempt && d < max; i++ {
		d *= 2
	}
	if d > max {
		d = max
	}
	j := p.Jitter
	if j < 0 {
		j = 0
	}
	if j > 1 {
		j = 1
	}
	d = time.Duration(float64(d) * (1 + j*(2*r-1)))
	if d > max {
		d = max
	}
	if d < 0 {
		d = 0
	}
	return d
}

// RetryDelay is how long to wait before the next attempt after a failed one: the
// supplier's Retry-After (capped at Delivery.RetryAfterMax) when it throttled us and said
// how long, the exponential backoff otherwise.
func RetryDelay(d config.Delivery, attempt int, err error, r float64) time.Duration {
	if e, ok := asSupplierError(err); ok && e.Kind == supplier.Throttled && e.RetryAfter > 0 {
		capd := d.RetryAfterMax.Or(config.DefaultRetryAfterMax)
		if e.RetryAfter > capd {
			return capd
		}
		return e.RetryAfter
	}
	return Backoff(d.Retry, attempt, r)
}
