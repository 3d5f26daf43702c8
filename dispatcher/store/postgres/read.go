package postgres

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/dropship-operator/dropship-operator/dispatcher/order"
	"github.com/dropship-operator/dropship-operator/dispatcher/store"
	"github.com/dropship-operator/dropship-operator/dispatcher/store/internal/journal"
)

const selectLines = "SELECT " + journal.LineColumns + " FROM lines l JOIN orders o ON o.id = l.order_id"

// Get returns one line by id.
func (s *Store) Get(ctx context.Context, id string) (*store.Line, error) {
	return s.one(ctx, "line "+id, selectLines+" WHERE l.id = $1", id)
}

// FindBySupplierOrder finds the line a supplier's order id belongs to.
func (s *Store) FindBySupplierOrder(ctx context.Context, supplier, supplierOrderID string) (*store.Line, error) {
	if supplierOrderID == "" {
		return nil, fmt.Errorf("cannot find supplier order %q of %q: %w", supplierOrderID, supplier, store.ErrNotFound)
	}
	return s.one(ctx, "supplier order "+supplier+"/"+supplierOrderID,
		selectLines+" WHERE l.supplier = $1 AND l.supplier_order_id = $2 AND l.supplier_order_id <> '' ORDER BY l.updated_at DESC LIMIT 1", supplier, supplierOrderID)
}

// FindByIdempotencyKey finds the line an idempotency key belongs to.
func (s *Store) FindByIdempotencyKey(ctx context.Context, key string) (*store.Line, error) {
	if key == "" {
		return nil, fmt.Errorf("cannot find idempotency key %q: %w", key, store.ErrNotFound)
	}
	return s.one(ctx, "idempotency key "+key, selectLines+" WHERE l.idempotency_key = $1 AND l.idempotency_key <> '' LIMIT 1", key)
}

// one reads a single line. (Lookups repeat the "not empty" condition of the partial
// indexes they use, so that the planner knows the index applies whatever the parameter.)
func (s *Store) one(ctx context.Context, what, query string, args ...any) (*store.Line, error) {
	l, err := journal.ScanLine(s.pool.QueryRow(ctx, query, args...).Scan, journal.Orders{})
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return nil, fmt.Errorf("cannot find %q: %w", what, store.ErrNotFound)
	case err != nil:
		return nil, fmt.Errorf("cannot read %q: %w", what, err)
	}
	return l, nil
}

// List returns lines matching the filter, ordered by id.
func (s *Store) List(ctx context.Context, f store.Filter) ([]*store.Line, error) {
	var q strings.Builder
	q.WriteString(selectLines + " WHERE l.id > $1")
	args := []any{f.After}
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	if len(f.States) > 0 {
		states := make([]string, len(f.States))
		for i, st := range f.States {
			states[i] = string(st)
		}
		q.WriteString(" AND l.state = ANY(" + arg(states) + ")")
	}
	if f.Supplier != "" {
		q.WriteString(" AND l.supplier = " + arg(f.Supplier))
	}
	if f.BillNo != "" {
		q.WriteString(" AND l.bill_no = " + arg(f.BillNo))
	}
	limit := f.Limit
	if limit <= 0 {
		limit = store.DefaultLimit
	}
	q.WriteString(" ORDER BY l.id LIMIT " + arg(limit))
	lines, err := s.query(ctx, q.String(), args...)
	if err != nil {
		return nil, fmt.Errorf("cannot list lines: %w", err)
	}
	return lines, nil
}

func (s *Store) query(ctx context.Context, query string, args ...any) ([]*store.Line, error) {
	rows, err := s.pool.Query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	return journal.ScanLines(rows)
}

// Counts returns how many lines are in each state.
func (s *Store) Counts(ctx context.Context) (map[order.State]int64, error) {
	rows, err := s.pool.Query(ctx, "SELECT state, COUNT(*) FROM lines GROUP BY state")
	if err != nil {
		return nil, fmt.Errorf("cannot count lines: %w", err)
	}
	defer rows.Close()
	byState, err := journal.CountBy(rows)
	if err != nil {
		return nil, fmt.Errorf("cannot count lines: %w", err)
	}
	return journal.StateCounts(byState), nil
}

// AcceptedSince returns, per supplier, how many lines were accepted at or after since.
func (s *Store) AcceptedSince(ctx context.Context, since time.Time) (map[string]int64, error) {
	rows, err := s.pool.Query(ctx,
		"SELECT supplier, COUNT(*) FROM lines WHERE accepted_at <> 0 AND accepted_at >= $1 GROUP BY supplier", journal.Nanos(since))
	if err != nil {
		return nil, fmt.Errorf("cannot count accepted lines: %w", err)
	}
	defer rows.Close()
	out, err := journal.CountBy(rows)
	if err != nil {
		return nil, fmt.Errorf("cannot count accepted lines: %w", err)
	}
	return out, nil
}

// Cursor returns a named value, "" when it was never set.
func (s *Store) Cursor(ctx context.Context, name string) (string, error) {
	var v string
	err := s.pool.QueryRow(ctx, "SELECT value FROM cursors WHERE name = $1", name).Scan(&v)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return "", nil
	case err != nil:
		return "", fmt.Errorf("cannot read cursor %q: %w", name, err)
	}
	return v, nil
}
