package delivery

import (
	"context"
	"errors"
	"fmt"
	"time"
	"unicode/utf8"

	"github.com/dropship-operator/dropship-operator/dispatcher/config"
	"github.com/dropship-operator/dropship-operator/dispatcher/order"
	"github.com/dropship-operator/dropship-operator/dispatcher/store"
	"github.com/dropship-operator/dropship-operator/dispatcher/supplier"
)

// Outcome is how one supplier call ended; it is the "outcome" label of the request
// metrics and what the health windows record.
type Outcome string

const (
	OutcomeAccepted  Outcome = "accepted"
	OutcomeError     Outcome = "error"
	OutcomeTimeout   Outcome = "timeout"
	OutcomeThrottled Outcome = "throttled"
	OutcomeRejected  Outcome = "rejected"
)

// maxResponse bounds what is journaled of a supplier's answer.
const maxResponse = 2048

// Plan turns the result of attempt number l.Attempts (already counted) into the change
// to journal: Accepted; a retry of the same supplier at NextAttemptAt; Rejected (the
// pipeline reroutes it); or DeadLettered when the attempts are used up. r is a random
// number in [0,1) for the jitter. It does no I/O.
func Plan(l *store.Line, d config.Delivery, res supplier.Result, err error, now time.Time, r float64) (store.Change, Outcome) {
	c := store.Change{ID: l.ID, From: l.State, Version: l.Version, ReleaseLease: true,
		NextAttemptAt: ptr(time.Time{})}
	if err == nil {
		c.To = order.StateAccepted
		c.SupplierOrderID = ptr(res.SupplierOrderID)
		c.LastResponse = ptr(truncate(res.Response))
		c.Reason = ptr("")
		return c, OutcomeAccepted
	}
	outcome := classify(err)
	var resp string
	if e, ok := asSupplierError(err); ok {
		resp = e.Response
	}
	c.LastResponse = ptr(truncate(resp))
	if outcome == OutcomeRejected {
		c.To = order.StateRejected
		c.AddTried = l.Supplier
		c.Reason = ptr(truncate(fmt.Sprintf("supplier %s refused the order: %v", l.Supplier, err)))
		return c, outcome
	}
	max := d.Retry.Attempts
	if max <= 0 {
		max = config.DefaultRetryAttempts
	}
	if l.Attempts >= max {
		c.To = order.StateDeadLettered
		c.Reason = ptr(truncate(fmt.Sprintf("retries exhausted after %d attempts to supplier %s: %v", l.Attempts, l.Supplier, err)))
		return c, outcome
	}
	c.To = order.StateSubmitted
	c.NextAttemptAt = ptr(now.Add(RetryDelay(d, l.Attempts, err, r)))
	c.Reason = ptr(truncate(fmt.Sprintf("attempt %d failed: %v", l.Attempts, err)))
	return c, outcome
}

func classify(err error) Outcome {
	if errors.Is(err, context.DeadlineExceeded) {
		return OutcomeTimeout
	}
	switch supplier.KindOf(err) {
	case supplier.Throttled:
		return OutcomeThrottled
	case supplier.Rejected:
		return OutcomeRejected
	}
	return OutcomeError
}

func asSupplierError(err error) (*supplier.Error, bool) {
	var e *supplier.Error
	ok := errors.As(err, &e)
	return e, ok
}

func truncate(s string) string {
	if len(s) <= maxResponse {
		return s
	}
	s = s[:maxResponse]
	for !utf8.ValidString(s) {
		s = s[:len(s)-1]
	}
	return s + "…"
}

func ptr[T any](v T) *T { return &v }
