// Package supplier defines how an order reaches a supplier's system: the Adapter interface,
// the errors that tell delivery what to do next, and the HTTP/JSON adapter. The K3Cloud
// adapter (a supplier that runs its own Kingdee) lives in dispatcher/k3cloud and implements
// the same interface; both pass the conformance suite in suppliertest.
package supplier

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/dropship-operator/dropship-operator/dispatcher/order"
)

// Request is one delivery: one line (ByLine) or all lines of an order (WholeOrder).
type Request struct {
	Order *order.Order
	// Lines are indices into Order.Lines that this supplier is to ship; empty means every
	// line of the order (WholeOrder).
	Lines []int
	// IdempotencyKey is stable across retries and restarts (order.IdempotencyKey); an
	// adapter must send it so the supplier can dedupe.
	IdempotencyKey string
	// CallbackURL is where the supplier posts shipment news, when it calls back.
	CallbackURL string
}

// Result is a supplier's acceptance.
type Result struct {
	// SupplierOrderID is the supplier's id for the order.
	SupplierOrderID string
	// Response is the supplier's answer, truncated, for the journal.
	Response string
}

// Adapter submits orders to one supplier.
type Adapter interface {
	// Submit sends the request. A nil error means the supplier accepted it. Errors are
	// classified with *Error so delivery knows whether to retry, wait, or reroute.
	Submit(ctx context.Context, req Request) (Result, error)
}

// AdapterFunc adapts a function to Adapter.
type AdapterFunc func(ctx context.Context, req Request) (Result, error)

// Submit calls f.
func (f AdapterFunc) Submit(ctx context.Context, req Request) (Result, error) { return f(ctx, req) }

// ShipmentPoller is implemented by adapters whose supplier is asked for shipments rather
// than calling back.
type ShipmentPoller interface {
	// PollShipment returns the shipment, or nil when the order has not shipped yet.
	PollShipment(ctx context.Context, supplierOrderID, idempotencyKey string) (*order.Shipment, error)
}

// Kind classifies a failed delivery.
type Kind int

const (
	// Transient: retry the same supplier with backoff (5xx, timeouts, connection errors).
	Transient Kind = iota
	// Throttled: the supplier said slow down (429); wait RetryAfter, then retry.
	Throttled
	// Rejected: the supplier refused the order for good (4xx, acceptedWhen false);
	// reroute to the next candidate.
	Rejected
)

// String names the kind.
func (k Kind) String() string {
	switch k {
	case Transient:
		return "Transient"
	case Throttled:
		return "Throttled"
	case Rejected:
		return "Rejected"
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// Error is a classified delivery failure.
type Error struct {
	Kind       Kind
	StatusCode int
	// RetryAfter is the supplier's Retry-After, when it gave one.
	RetryAfter time.Duration
	// Message is the supplier's reason, sanitised (no secrets).
	Message string
	// Response is the supplier's answer, truncated.
	Response string
	Err      error
}

// Error reads "Kind (HTTP status): message: cause".
func (e *Error) Error() string {
	s := e.Kind.String()
	if e.StatusCode != 0 {
		s += fmt.Sprintf(" (HTTP %d)", e.StatusCode)
	}
	if e.Message != "" {
		s += ": " + e.Message
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// KindOf classifies any error: a *Error's Kind, or Transient for anything else (network
// errors, timeouts, context deadline of one attempt).
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return Transient
}
