package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/dropship-operator/dropship-operator/dispatcher/order"
	"github.com/dropship-operator/dropship-operator/dispatcher/store"
	"github.com/dropship-operator/dropship-operator/dispatcher/store/internal/journal"
)

// Intake journals the order's new lines in state Received (see store.Store).
func (s *Store) Intake(ctx context.Context, o *order.Order) (store.IntakeResult, error) {
	res, err := s.IntakeBatch(ctx, []*order.Order{o})
	if err != nil {
		return store.IntakeResult{}, err
	}
	return res[0], nil
}

// IntakeBatch journals the orders' new lines in one transaction (see store.Store).
func (s *Store) IntakeBatch(ctx context.Context, orders []*order.Order) ([]store.IntakeResult, error) {
	ins := make([]*journal.Intake, len(orders))
	for i, o := range orders {
		in, err := journal.PrepareIntake(o)
		if err != nil {
			return nil, err
		}
		ins[i] = in
	}
	if len(ins) == 0 {
		return nil, nil
	}
	results := make([]store.IntakeResult, len(ins))
	err := s.w.do(ctx, func(t *tx) error {
		now := journal.Nanos(s.opts.now())
		for k, in := range ins {
			res, err := intakeOne(t, in, now)
			if err != nil {
				return err
			}
			results[k] = res
		}
		return nil
	})
	if err != nil {
		if len(ins) == 1 {
			return nil, fmt.Errorf("cannot journal order %q: %w", ins[0].Order.BillNo, err)
		}
		return nil, fmt.Errorf("cannot journal %d orders: %w", len(ins), err)
	}
	return results, nil
}

// intakeOne inserts the order, then its lines, skipping those already journaled; an order
// row that brought no new line is deleted again. (A duplicate delivery is the rare case:
// this costs it an insert and a delete and saves a lookup per line of every new order.)
func intakeOne(t *tx, in *journal.Intake, now int64) (store.IntakeResult, error) {
	var res store.IntakeResult
	o := in.Order
	r, err := t.st.insertOrder.ExecContext(t.ctx, o.Source, o.BillNo, in.Body, now)
	if err != nil {
		return res, fmt.Errorf("cannot insert order %q: %w", o.BillNo, err)
	}
	oid, err := r.LastInsertId()
	if err != nil {
		return res, fmt.Errorf("cannot insert order %q: %w", o.BillNo, err)
	}
	for i, id := range in.IDs {
		r, err := t.st.insertLine.ExecContext(t.ctx, id, oid, i, o.Source, o.BillNo,
			o.Lines[i].EntryID, string(order.StateReceived), now, now)
		if err != nil {
			return res, fmt.Errorf("cannot insert line %q: %w", id, err)
		}
		n, err := r.RowsAffected()
		if err != nil {
			return res, fmt.Errorf("cannot insert line %q: %w", id, err)
		}
		if n == 1 {
			res.New = append(res.New, id)
		} else {
			res.Existing = append(res.Existing, id)
		}
	}
	if len(res.New) == 0 {
		if _, err := t.st.deleteOrder.ExecContext(t.ctx, oid); err != nil {
			return res, fmt.Errorf("cannot delete order %q: %w", o.BillNo, err)
		}
	}
	return res, nil
}

// Apply commits the changes in one transaction, each checked on its own (see store.Store).
func (s *Store) Apply(ctx context.Context, changes []store.Change) ([]error, error) {
	if len(changes) == 0 {
		return nil, nil
	}
	results := make([]error, len(changes))
	args := make([][]any, len(changes))
	now := s.opts.now()
	for i, c := range changes {
		if err := journal.Check(c); err != nil {
			results[i] = err
			continue
		}
		a, err := journal.ChangeArgs(c, now)
		if err != nil {
			results[i] = err
			continue
		}
		args[i] = a
	}
	err := s.w.do(ctx, func(t *tx) error {
		for i, c := range changes {
			if args[i] == nil {
				continue
			}
			stmt, err := t.w.changeStmt(t.ctx, args[i])
			if err != nil {
				return err
			}
			r, err := stmt.ExecContext(t.ctx, args[i]...)
			if err != nil {
				return fmt.Errorf("cannot change line %q: %w", c.ID, err)
			}
			n, err := r.RowsAffected()
			if err != nil {
				return fmt.Errorf("cannot change line %q: %w", c.ID, err)
			}
			if n == 1 {
				results[i] = nil
				continue
			}
			var st string
			var v int64
			switch err := t.st.lineState.QueryRowContext(t.ctx, c.ID).Scan(&st, &v); {
			case errors.Is(err, sql.ErrNoRows):
				results[i] = fmt.Errorf("cannot change line %q: %w", c.ID, store.ErrNotFound)
			case err != nil:
				return fmt.Errorf("cannot look up line %q: %w", c.ID, err)
			default:
				results[i] = fmt.Errorf("cannot move line %q from %s version %d: it is %s version %d: %w",
					c.ID, c.From, c.Version, st, v, store.ErrConflict)
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("cannot apply %d changes: %w", len(changes), err)
	}
	return results, nil
}

// Claim leases due lines to req.Owner (see store.Store).
func (s *Store) Claim(ctx context.Context, req store.ClaimRequest) ([]*store.Line, error) {
	if req.Owner == "" || len(req.States) == 0 {
		return nil, fmt.Errorf("cannot claim lines: a claim needs an owner and states")
	}
	now := req.Now
	if now.IsZero() {
		now = s.opts.now()
	}
	limit := req.Limit
	if limit <= 0 {
		limit = store.DefaultLimit
	}
	limit = min(limit, store.MaxClaim)
	lease := req.Lease
	if lease <= 0 {
		lease = store.DefaultLease
	}
	// Each state is read on its own, in index order, so a claim stops at the limit
	// whatever the backlog.
	var q strings.Builder
	var args []any
	states := slices.Compact(slices.Sorted(slices.Values(req.States)))
	for i, st := range states {
		if i > 0 {
			q.WriteString(" UNION ALL ")
		}
		q.WriteString("SELECT id, due_at, rid FROM (SELECT id, due_at, rowid AS rid FROM lines WHERE state = ? AND due_at <= ?")
		args = append(args, string(st), journal.Nanos(now))
		if req.Supplier != "" {
			q.WriteString(" AND supplier = ?")
			args = append(args, req.Supplier)
		}
		q.WriteString(" ORDER BY due_at, rowid LIMIT ?)")
		args = append(args, limit)
	}
	q.WriteString(" ORDER BY 2, 3 LIMIT ?")
	args = append(args, limit)
	until := journal.Nanos(now.Add(lease))
	var ids []string
	err := s.w.do(ctx, func(t *tx) error {
		// The writer is the only one writing, so what this reads is still due when it
		// writes the lease.
		ids = ids[:0]
		rows, err := t.conn.QueryContext(t.ctx, q.String(), args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id string
			var due, rid int64
			if err := rows.Scan(&id, &due, &rid); err != nil {
				return err
			}
			ids = append(ids, id)
		}
		if err := rows.Err(); err != nil || len(ids) == 0 {
			return err
		}
		upd := make([]any, 0, len(ids)+3)
		upd = append(upd, req.Owner, until, until)
		for _, id := range ids {
			upd = append(upd, id)
		}
		_, err = t.conn.ExecContext(t.ctx, "UPDATE lines SET lease_owner = ?, lease_until = ?, due_at = ? WHERE id IN (?"+
			strings.Repeat(", ?", len(ids)-1)+")", upd...)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("cannot claim lines for %q: %w", req.Owner, err)
	}
	if len(ids) == 0 {
		return nil, nil
	}
	lines, err := s.byIDs(ctx, ids)
	if err != nil {
		return nil, fmt.Errorf("cannot claim lines for %q: %w", req.Owner, err)
	}
	return lines, nil
}

// SetCursor stores a named value durably.
func (s *Store) SetCursor(ctx context.Context, name, value string) error {
	err := s.w.do(ctx, func(t *tx) error {
		_, err := t.st.setCursor.ExecContext(t.ctx, name, value)
		return err
	})
	if err != nil {
		return fmt.Errorf("cannot set cursor %q: %w", name, err)
	}
	return nil
}
