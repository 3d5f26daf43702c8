package journal

import (
	"encoding/json"
	"fmt"

	"github.com/dropship-operator/dropship-operator/dispatcher/order"
	"github.com/dropship-operator/dropship-operator/dispatcher/store"
)

// LineColumns is the select list ScanLine reads, for a query over "lines l JOIN orders o ON
// o.id = l.order_id".
const LineColumns = `l.id, l.order_id, l.idx, l.source, l.bill_no, l.entry_id, l.state, l.version,
	l.supplier, l.rule, l.tier, l.explain, l.tried, l.idempotency_key, l.attempts,
	l.next_attempt_at, l.supplier_order_id, l.purchase_order_no, l.shipment,
	l.shipment_written_back, l.reason, l.last_response, l.created_at, l.updated_at,
	l.accepted_at, l.lease_owner, l.lease_until, o.body`

// Orders decodes order bodies once per order row, so that the lines of one order read in
// one query share one *order.Order. The zero value is ready to use.
type Orders map[int64]*order.Order

// ScanLine reads one row of LineColumns through scan (a Rows.Scan or Row.Scan).
func ScanLine(scan func(dest ...any) error, orders Orders) (*store.Line, error) {
	var (
		l                                         store.Line
		orderID, idx, version, tier, attempts     int64
		next, created, updated, accepted, leaseTo int64
		state, shipment                           string
		explain, tried, body                      []byte
	)
	err := scan(&l.ID, &orderID, &idx, &l.Source, &l.BillNo, &l.EntryID, &state, &version,
		&l.Supplier, &l.Rule, &tier, &explain, &tried, &l.IdempotencyKey, &attempts,
		&next, &l.SupplierOrderID, &l.PurchaseOrderNo, &shipment,
		&l.ShipmentWrittenBack, &l.Reason, &l.LastResponse, &created, &updated,
		&accepted, &l.LeaseOwner, &leaseTo, &body)
	if err != nil {
		return nil, err
	}
	l.Index, l.Version, l.Tier, l.Attempts = int(idx), version, int(tier), int(attempts)
	l.State = order.State(state)
	l.NextAttemptAt, l.CreatedAt, l.UpdatedAt = Time(next), Time(created), Time(updated)
	l.AcceptedAt, l.LeaseUntil = Time(accepted), Time(leaseTo)
	if len(explain) > 0 {
		l.Explain = json.RawMessage(explain)
	}
	if len(tried) > 0 {
		if err := json.Unmarshal(tried, &l.Tried); err != nil {
			return nil, fmt.Errorf("cannot decode tried suppliers of line %q: %w", l.ID, err)
		}
		if len(l.Tried) == 0 {
			l.Tried = nil
		}
	}
	if shipment != "" {
		l.Shipment = new(order.Shipment)
		if err := json.Unmarshal([]byte(shipment), l.Shipment); err != nil {
			return nil, fmt.Errorf("cannot decode shipment of line %q: %w", l.ID, err)
		}
	}
	o, ok := orders[orderID]
	if !ok {
		o = new(order.Order)
		if err := json.Unmarshal(body, o); err != nil {
			return nil, fmt.Errorf("cannot decode order of line %q: %w", l.ID, err)
		}
		orders[orderID] = o
	}
	l.Order = o
	return &l, nil
}
