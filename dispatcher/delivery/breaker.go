package delivery

import (
	"sync"
	"time"
)

// BreakerState is the state of a circuit breaker.
type BreakerState int

const (
	// BreakerClosed lets every call through.
	BreakerClosed BreakerState = iota
	// BreakerOpen lets nothing through until the open period ends.
	BreakerOpen
	// BreakerHalfOpen lets one probe call through; its outcome closes or reopens the breaker.
	BreakerHalfOpen
)

func (s BreakerState) String() string {
	switch s {
	case BreakerClosed:
		return "closed"
	case BreakerOpen:
		return "open"
	case BreakerHalfOpen:
		return "half-open"
	}
	return "unknown"
}

// Breaker is a per-supplier circuit breaker. It opens after Threshold consecutive
// failures, for OpenFor × the number of times in a row it opened (capped at MaxOpenFor),
// then lets one probe through (half-open): a success closes it, a failure opens it again.
type Breaker struct {
	Threshold  int
	OpenFor    time.Duration
	MaxOpenFor time.Duration

	mu          sync.Mutex
	state       BreakerState
	consecutive int
	opens       int
	until       time.Time
	probing     bool
}

// Allow reports whether a call may be made now; when it may not, it returns when to ask
// again. In half-open state only one caller at a time is allowed (the probe).
func (b *Breaker) Allow(now time.Time) (bool, time.Time) {
	b.mu.Lock()
	defer b.mu.Unlock()
	switch b.state {
	case BreakerOpen:
		if now.Before(b.until) {
			return false, b.until
		}
		b.state = BreakerHalfOpen
		b.probing = false
		fallthrough
	case BreakerHalfOpen:
		if b.probing {
			return false, now.Add(b.OpenFor / 4)
		}
		b.probing = true
		return true, time.Time{}
	}
	return true, time.Time{}
}

// Success records a successful call (or a call the supplier answered, even with a
// refusal: the supplier is up).
func (b *Breaker) Success() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.consecutive = 0
	b.opens = 0
	b.probing = false
	b.state = BreakerClosed
}

// Failure records a failed call and reports whether the breaker opened because of it.
func (b *Breaker) Failure(now time.Time) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.consecutive++
	threshold := b.Threshold
	if threshold <= 0 {
		threshold = 5
	}
	if b.state == BreakerHalfOpen || (b.state == BreakerClosed && b.consecutive >= threshold) {
		b.opens++
		d := b.OpenFor * time.Duration(b.opens)
		if b.MaxOpenFor > 0 && d > b.MaxOpenFor {
			d = b.MaxOpenFor
		}
		b.state = BreakerOpen
		b.until = now.Add(d)
		b.probing = false
		return true
	}
	return false
}

// Release gives the half-open probe slot back when an allowed call was not made.
func (b *Breaker) Release() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.state == BreakerHalfOpen {
		b.probing = false
	}
}

// State returns the current state (an open breaker past its period reads half-open).
func (b *Breaker) State(now time.Time) BreakerState {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.state == BreakerOpen && !now.Before(b.until) {
		return BreakerHalfOpen
	}
	return b.state
}
