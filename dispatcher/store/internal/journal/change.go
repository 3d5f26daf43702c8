package journal

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/dropship-operator/dropship-operator/dispatcher/order"
	"github.com/dropship-operator/dropship-operator/dispatcher/store"
)

// Check refuses a change the state machine forbids, before anything is read or written.
// A change that keeps the state (To == From) updates fields only and is allowed in every
// known state.
func Check(c store.Change) error {
	if c.From == c.To && c.To.Valid() {
		return nil
	}
	if !order.CanTransition(c.From, c.To) {
		return fmt.Errorf("cannot move line %q from %s to %s: %w", c.ID, c.From, c.To, store.ErrInvalidTransition)
	}
	return nil
}

// ChangeArgs is the argument list of a backend's change statement, numbered from 1:
//
//	1 to-state, 2 supplier, 3 rule, 4 tier, 5 explain, 6 add-tried ("" for none),
//	7 idempotency key, 8 attempts, 9 next attempt, 10 supplier order id,
//	11 purchase order no, 12 shipment (JSON), 13 shipment written back, 14 reason,
//	15 last response, 16 now, 17 release lease, 18 id, 19 from-state, 20 version.
//
// Arguments 2 to 15 except 6 are nil when the change leaves the column as it is (the
// statement writes COALESCE(arg, column)).
func ChangeArgs(c store.Change, now time.Time) ([]any, error) {
	var shipment any
	if c.Shipment != nil {
		b, err := json.Marshal(c.Shipment)
		if err != nil {
			return nil, fmt.Errorf("cannot encode shipment of line %q: %w", c.ID, err)
		}
		shipment = string(b)
	}
	var explain any
	if c.Explain != nil {
		explain = []byte(c.Explain)
	}
	var next any
	if c.NextAttemptAt != nil {
		next = Nanos(*c.NextAttemptAt)
	}
	return []any{
		string(c.To), str(c.Supplier), str(c.Rule), integer(c.Tier), explain, c.AddTried,
		str(c.IdempotencyKey), integer(c.Attempts), next, str(c.SupplierOrderID),
		str(c.PurchaseOrderNo), shipment, boolean(c.ShipmentWrittenBack), str(c.Reason),
		str(c.LastResponse), Nanos(now), c.ReleaseLease, c.ID, string(c.From), c.Version,
	}, nil
}

func str(p *string) any {
	if p == nil {
		return nil
	}
	return *p
}

func integer(p *int) any {
	if p == nil {
		return nil
	}
	return int64(*p)
}

func boolean(p *bool) any {
	if p == nil {
		return nil
	}
	return *p
}
