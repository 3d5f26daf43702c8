package pipeline

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/dropship-operator/dropship-operator/dispatcher/health"
	"github.com/dropship-operator/dropship-operator/dispatcher/order"
	"github.com/dropship-operator/dropship-operator/dispatcher/store"
)

// Router errors (compare with errors.Is).
var (
	// ErrUnroutable: no supplier may take the line; it is dead-lettered.
	ErrUnroutable = errors.New("no eligible supplier")
	// ErrWait: no supplier may take the line now, but one will (a circuit closes, an
	// ejection or a quota ends); the line is left as it is and routed again later.
	ErrWait = errors.New("no supplier available now")
)

// Decision is where a line goes and why.
type Decision struct {
	Supplier string
	Rule     string
	Tier     int
	// Explain is the routing engine's explanation (JSON), journaled with the line.
	Explain json.RawMessage
}

// Router decides the supplier of one line, never one of exclude. It returns an error
// wrapping ErrUnroutable or ErrWait (with the explanation in the Decision) when no
// supplier may take the line.
type Router interface {
	Route(ctx context.Context, l *store.Line, exclude []string) (Decision, error)
}

// RouterFunc adapts a function to Router.
type RouterFunc func(ctx context.Context, l *store.Line, exclude []string) (Decision, error)

// Route calls f.
func (f RouterFunc) Route(ctx context.Context, l *store.Line, exclude []string) (Decision, error) {
	return f(ctx, l, exclude)
}

// HealthRecorder is what the pipeline feeds supplier outcomes into (*health.Tracker).
type HealthRecorder interface {
	Record(supplier string, o health.Outcome, latency time.Duration, err error)
	RecordAccepted(supplier string, at time.Time)
	RecordShipment(supplier string, acceptedAt, shippedAt time.Time)
	SetCircuit(supplier string, c health.Circuit)
}

// OrderPoller pulls new orders from the ERP: the orders changed after watermark, and the
// watermark to pass next time. Intake dedupes orders seen twice.
type OrderPoller interface {
	Poll(ctx context.Context, watermark string) (orders []*order.Order, next string, err error)
}

// PurchaseOrderRecorder writes a purchase order into the ERP for each accepted line. It
// returns the purchase order number per line id; a line missing from the map failed and
// is retried later. It must be idempotent per line (a crash may repeat a call).
type PurchaseOrderRecorder interface {
	RecordPurchaseOrders(ctx context.Context, lines []*store.Line) (map[string]string, error)
}

// TrackingWriter writes each shipped line's tracking number into the ERP. It returns the
// ids of the lines written; the others are retried later. It must be idempotent.
type TrackingWriter interface {
	WriteTracking(ctx context.Context, lines []*store.Line) (written []string, err error)
}

// CancelChecker tells which of the given ERP bills may no longer be shipped (cancelled,
// unaudited or deleted in the ERP), with the reason per bill number.
type CancelChecker interface {
	Cancelled(ctx context.Context, billNos []string) (map[string]string, error)
}
