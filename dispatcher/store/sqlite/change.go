package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/dropship-operator/dropship-operator/dispatcher/order"
)

// changeColumns are the optional columns of a change, by their argument number in
// journal.ChangeArgs.
var changeColumns = []struct {
	arg    int
	column string
}{
	{2, "supplier"}, {3, "rule"}, {4, "tier"}, {5, "explain"}, {7, "idempotency_key"},
	{8, "attempts"}, {9, "next_attempt_at"}, {10, "supplier_order_id"},
	{11, "purchase_order_no"}, {12, "shipment"}, {13, "shipment_written_back"},
	{14, "reason"}, {15, "last_response"},
}

// Mask bits beyond the optional columns' argument numbers.
const (
	maskTried    = 1 << 6
	maskRelease  = 1 << 17
	maskAccepted = 1 << 21
)

// changeMask says which columns a change (as journal.ChangeArgs) writes.
func changeMask(args []any) uint32 {
	var m uint32
	for _, c := range changeColumns {
		if args[c.arg-1] != nil {
			m |= 1 << c.arg
		}
	}
	if args[5] != "" {
		m |= maskTried
	}
	if args[16] == true {
		m |= maskRelease
	}
	if args[0] == string(order.StateAccepted) && args[18] != string(order.StateAccepted) {
		m |= maskAccepted // a move into Accepted, not an update of an Accepted line
	}
	return m
}

// changeSQL is the UPDATE for one shape of change. It assigns only the columns the change
// writes: SQLite rewrites the entries of every index over an assigned column, changed or
// not, so a statement that assigned every column would rewrite all seven indexes of lines
// on every transition.
func changeSQL(m uint32) string {
	var b strings.Builder
	b.WriteString("UPDATE lines SET state = ?1, version = version + 1, updated_at = ?16")
	for _, c := range changeColumns {
		if m&(1<<c.arg) != 0 {
			fmt.Fprintf(&b, ", %s = ?%d", c.column, c.arg)
		}
	}
	if m&maskTried != 0 {
		b.WriteString(`, tried = CASE WHEN EXISTS (SELECT 1 FROM json_each(tried) WHERE value = ?6)
			THEN tried ELSE json_insert(tried, '$[#]', ?6) END`)
	}
	if m&maskAccepted != 0 {
		b.WriteString(", accepted_at = ?16")
	}
	// due_at is MAX(next_attempt_at, lease_until) after the change.
	switch next := m&(1<<9) != 0; {
	case m&maskRelease != 0 && next:
		b.WriteString(", lease_owner = '', lease_until = 0, due_at = ?9")
	case m&maskRelease != 0:
		b.WriteString(", lease_owner = '', lease_until = 0, due_at = next_attempt_at")
	case next:
		b.WriteString(", due_at = MAX(?9, lease_until)")
	}
	b.WriteString(" WHERE id = ?18 AND state = ?19 AND version = ?20")
	return b.String()
}

// changeStmt returns the prepared UPDATE for the change's shape, preparing it on first use.
// Only the writer goroutine calls it.
func (w *writer) changeStmt(ctx context.Context, args []any) (*sql.Stmt, error) {
	m := changeMask(args)
	if st, ok := w.changes[m]; ok {
		return st, nil
	}
	st, err := w.conn.PrepareContext(ctx, changeSQL(m))
	if err != nil {
		return nil, fmt.Errorf("cannot prepare change statement: %w", err)
	}
	w.changes[m] = st
	return st, nil
}
