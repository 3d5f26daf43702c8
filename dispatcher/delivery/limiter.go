package delivery

import (
	"context"

	"golang.org/x/time/rate"
)

// limiter is a token bucket; a rate of 0 means unlimited.
type limiter struct{ l *rate.Limiter }

func newLimiter(perSecond float64) *limiter {
	if perSecond <= 0 {
		return &limiter{}
	}
	burst := int(perSecond / 10)
	if burst < 1 {
		burst = 1
	}
	return &limiter{l: rate.NewLimiter(rate.Limit(perSecond), burst)}
}

// Wait blocks until a token is free or ctx ends.
func (l *limiter) Wait(ctx context.Context) error {
	if l.l == nil {
		return ctx.Err()
	}
	return l.l.Wait(ctx)
}
