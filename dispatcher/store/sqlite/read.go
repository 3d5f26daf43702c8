package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/dropship-operator/dropship-operator/dispatcher/order"
	"github.com/dropship-operator/dropship-operator/dispatcher/store"
	"github.com/dropship-operator/dropship-operator/dispatcher/store/internal/journal"
)

const selectLines = "SELECT " + journal.LineColumns + " FROM lines l JOIN orders o ON o.id = l.order_id"

// Get returns one line by id.
func (s *Store) Get(ctx context.Context, id string) (*store.Line, error) {
	return s.one(ctx, "line "+id, selectLines+" WHERE l.id = ?", id)
}

// FindBySupplierOrder finds the line a supplier's order id belongs to.
func (s *Store) FindBySupplierOrder(ctx context.Context, supplier, supplierOrderID string) (*store.Line, error) {
	if supplierOrderID == "" {
		return nil, fmt.Errorf("cannot find supplier order %q of %q: %w", supplierOrderID, supplier, store.ErrNotFound)
	}
	return s.one(ctx, "supplier order "+supplier+"/"+supplierOrderID,
		selectLines+" WHERE l.supplier = ? AND l.supplier_order_id = ? AND l.supplier_order_id <> '' ORDER BY l.updated_at DESC LIMIT 1", supplier, supplierOrderID)
}

// FindByIdempotencyKey finds the line an idempotency key belongs to.
func (s *Store) FindByIdempotencyKey(ctx context.Context, key string) (*store.Line, error) {
	if key == "" {
		return nil, fmt.Errorf("cannot find idempotency key %q: %w", key, store.ErrNotFound)
	}
	return s.one(ctx, "idempotency key "+key, selectLines+" WHERE l.idempotency_key = ? AND l.idempotency_key <> '' LIMIT 1", key)
}

// one reads a single line. (Lookups repeat the "not empty" condition of the partial
// indexes they use, so that the planner knows the index applies whatever the parameter.)
func (s *Store) one(ctx context.Context, what, query string, args ...any) (*store.Line, error) {
	l, err := journal.ScanLine(s.rdb.QueryRowContext(ctx, query, args...).Scan, journal.Orders{})
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return nil, fmt.Errorf("cannot find %q: %w", what, store.ErrNotFound)
	case err != nil:
		return nil, fmt.Errorf("cannot read %q: %w", what, err)
	}
	return l, nil
}

// List returns lines matching the filter, ordered by id.
func (s *Store) List(ctx context.Context, f store.Filter) ([]*store.Line, error) {
	var q strings.Builder
	q.WriteString(selectLines + " WHERE l.id > ?")
	args := []any{f.After}
	if len(f.States) > 0 {
		q.WriteString(" AND l.state IN (")
		for i, st := range f.States {
			if i > 0 {
				q.WriteString(", ")
			}
			q.WriteString("?")
			args = append(args, string(st))
		}
		q.WriteString(")")
	}
	if f.Supplier != "" {
		q.WriteString(" AND l.supplier = ?")
		args = append(args, f.Supplier)
	}
	if f.BillNo != "" {
		q.WriteString(" AND l.bill_no = ?")
		args = append(args, f.BillNo)
	}
	limit := f.Limit
	if limit <= 0 {
		limit = store.DefaultLimit
	}
	q.WriteString(" ORDER BY l.id LIMIT ?")
	args = append(args, limit)
	lines, err := s.query(ctx, q.String(), args...)
	if err != nil {
		return nil, fmt.Errorf("cannot list lines: %w", err)
	}
	return lines, nil
}

// byIDs reads the lines with the given ids, in the order of ids.
func (s *Store) byIDs(ctx context.Context, ids []string) ([]*store.Line, error) {
	pos := make(map[string]int, len(ids))
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
		pos[id] = i
	}
	lines, err := s.query(ctx, selectLines+" WHERE l.id IN (?"+strings.Repeat(", ?", len(ids)-1)+")", args...)
	if err != nil {
		return nil, err
	}
	sort.Slice(lines, func(i, j int) bool { return pos[lines[i].ID] < pos[lines[j].ID] })
	return lines, nil
}

func (s *Store) query(ctx context.Context, query string, args ...any) ([]*store.Line, error) {
	rows, err := s.rdb.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	return journal.ScanLines(rows)
}

// Counts returns how many lines are in each state.
func (s *Store) Counts(ctx context.Context) (map[order.State]int64, error) {
	rows, err := s.rdb.QueryContext(ctx, "SELECT state, COUNT(*) FROM lines GROUP BY state")
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
	rows, err := s.rdb.QueryContext(ctx,
		"SELECT supplier, COUNT(*) FROM lines WHERE accepted_at <> 0 AND accepted_at >= ? GROUP BY supplier", journal.Nanos(since))
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
	err := s.rdb.QueryRowContext(ctx, "SELECT value FROM cursors WHERE name = ?", name).Scan(&v)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return "", nil
	case err != nil:
		return "", fmt.Errorf("cannot read cursor %q: %w", name, err)
	}
	return v, nil
}
