package postgres

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/jackc/pgx/v5"

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
	var all []string
	for i, o := range orders {
		in, err := journal.PrepareIntake(o)
		if err != nil {
			return nil, err
		}
		ins[i] = in
		all = append(all, in.IDs...)
	}
	if len(ins) == 0 {
		return nil, nil
	}
	var results []store.IntakeResult
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		results = make([]store.IntakeResult, len(ins))
		rows, err := tx.Query(ctx, "SELECT id FROM lines WHERE id = ANY($1)", all)
		if err != nil {
			return err
		}
		ids, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			return err
		}
		known := make(map[string]bool, len(ids))
		for _, id := range ids {
			known[id] = true
		}
		// Orders with a line not journaled yet get an order row...
		now := journal.Nanos(s.opts.now())
		var fresh []int
		b := &pgx.Batch{}
		for k, in := range ins {
			if !slices.ContainsFunc(in.IDs, func(id string) bool { return !known[id] }) {
				results[k].Existing = in.IDs
				continue
			}
			fresh = append(fresh, k)
			b.Queue("INSERT INTO orders (source, bill_no, body, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
				in.Order.Source, in.Order.BillNo, in.Body, now)
		}
		if len(fresh) == 0 {
			return nil
		}
		oids := make([]int64, len(fresh))
		br := tx.SendBatch(ctx, b)
		for j := range fresh {
			if err := br.QueryRow().Scan(&oids[j]); err != nil {
				br.Close()
				return fmt.Errorf("cannot insert order %q: %w", ins[fresh[j]].Order.BillNo, err)
			}
		}
		if err := br.Close(); err != nil {
			return err
		}
		// ...and its new lines. Lines another replica (or an earlier order of this batch)
		// journals meanwhile are skipped by ON CONFLICT.
		b = &pgx.Batch{}
		for j, k := range fresh {
			in := ins[k]
			for i, id := range in.IDs {
				if !known[id] {
					b.Queue(`INSERT INTO lines (id, order_id, idx, source, bill_no, entry_id, state, version, created_at, updated_at)
						VALUES ($1, $2, $3, $4, $5, $6, $7, 1, $8, $8) ON CONFLICT (id) DO NOTHING`,
						id, oids[j], i, in.Order.Source, in.Order.BillNo, in.Order.Lines[i].EntryID, string(order.StateReceived), now)
				}
			}
		}
		br = tx.SendBatch(ctx, b)
		var orphans []int64
		for j, k := range fresh {
			in, res := ins[k], &results[k]
			for _, id := range in.IDs {
				if known[id] {
					res.Existing = append(res.Existing, id)
					continue
				}
				tag, err := br.Exec()
				if err != nil {
					br.Close()
					return fmt.Errorf("cannot insert line %q: %w", id, err)
				}
				if tag.RowsAffected() == 1 {
					res.New = append(res.New, id)
				} else {
					res.Existing = append(res.Existing, id)
				}
			}
			if len(res.New) == 0 {
				orphans = append(orphans, oids[j])
			}
		}
		if err := br.Close(); err != nil {
			return err
		}
		if len(orphans) > 0 {
			if _, err := tx.Exec(ctx, "DELETE FROM orders WHERE id = ANY($1)", orphans); err != nil {
				return fmt.Errorf("cannot delete orders without new lines: %w", err)
			}
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

// changeSQL writes one store.Change; its arguments are journal.ChangeArgs.
const changeSQL = `UPDATE lines SET
	state = $1,
	version = version + 1,
	supplier = COALESCE($2, supplier),
	rule = COALESCE($3, rule),
	tier = COALESCE($4, tier),
	explain = COALESCE($5, explain),
	tried = CASE WHEN $6::text = '' OR tried ? $6::text THEN tried ELSE tried || jsonb_build_array($6::text) END,
	idempotency_key = COALESCE($7, idempotency_key),
	attempts = COALESCE($8, attempts),
	next_attempt_at = COALESCE($9, next_attempt_at),
	supplier_order_id = COALESCE($10, supplier_order_id),
	purchase_order_no = COALESCE($11, purchase_order_no),
	shipment = COALESCE($12, shipment),
	shipment_written_back = COALESCE($13, shipment_written_back),
	reason = COALESCE($14, reason),
	last_response = COALESCE($15, last_response),
	updated_at = $16,
	accepted_at = CASE WHEN $1 = 'Accepted' THEN $16 ELSE accepted_at END,
	lease_owner = CASE WHEN $17 THEN '' ELSE lease_owner END,
	lease_until = CASE WHEN $17 THEN 0 ELSE lease_until END,
	due_at = GREATEST(COALESCE($9, next_attempt_at), CASE WHEN $17 THEN 0 ELSE lease_until END)
WHERE id = $18 AND state = $19 AND version = $20`

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
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		// All updates go in one round trip; the misses are looked up in a second.
		b := &pgx.Batch{}
		for i := range changes {
			if args[i] != nil {
				b.Queue(changeSQL, args[i]...)
			}
		}
		if b.Len() == 0 {
			return nil
		}
		br := tx.SendBatch(ctx, b)
		var missed []int
		for i, c := range changes {
			if args[i] == nil {
				continue
			}
			tag, err := br.Exec()
			if err != nil {
				br.Close()
				return fmt.Errorf("cannot change line %q: %w", c.ID, err)
			}
			if tag.RowsAffected() == 1 {
				results[i] = nil
			} else {
				missed = append(missed, i)
			}
		}
		if err := br.Close(); err != nil {
			return err
		}
		for _, i := range missed {
			c := changes[i]
			var st string
			var v int64
			switch err := tx.QueryRow(ctx, "SELECT state, version FROM lines WHERE id = $1", c.ID).Scan(&st, &v); {
			case errors.Is(err, pgx.ErrNoRows):
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

// claimSQL leases due lines and returns them with their orders. Each state is read on its
// own, in index order, so a claim stops at the limit whatever the backlog; SKIP LOCKED
// passes over lines another replica is claiming or changing right now.
const claimSQL = `WITH due AS (
	SELECT c.id, c.due_at FROM unnest($1::text[]) AS s(state)
	CROSS JOIN LATERAL (
		SELECT id, due_at FROM lines
		WHERE lines.state = s.state AND due_at <= $2 %s
		ORDER BY due_at, id
		LIMIT $3
		FOR UPDATE SKIP LOCKED
	) c
	ORDER BY c.due_at, c.id
	LIMIT $3
), l AS (
	UPDATE lines SET lease_owner = $4, lease_until = $5, due_at = $5 FROM due WHERE lines.id = due.id
	RETURNING lines.*, due.due_at AS was_due
)
SELECT ` + journal.LineColumns + ` FROM l JOIN orders o ON o.id = l.order_id
ORDER BY l.was_due, l.id`

var (
	claimAnySQL      = fmt.Sprintf(claimSQL, "")
	claimSupplierSQL = fmt.Sprintf(claimSQL, "AND supplier = $6")
)

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
	lease := req.Lease
	if lease <= 0 {
		lease = store.DefaultLease
	}
	states := make([]string, len(req.States))
	for i, st := range req.States {
		states[i] = string(st)
	}
	query, args := claimAnySQL, []any{states, journal.Nanos(now), limit, req.Owner, journal.Nanos(now.Add(lease))}
	if req.Supplier != "" {
		query, args = claimSupplierSQL, append(args, req.Supplier)
	}
	lines, err := s.query(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("cannot claim lines for %q: %w", req.Owner, err)
	}
	return lines, nil
}

// SetCursor stores a named value durably.
func (s *Store) SetCursor(ctx context.Context, name, value string) error {
	if _, err := s.pool.Exec(ctx, "INSERT INTO cursors (name, value) VALUES ($1, $2) ON CONFLICT (name) DO UPDATE SET value = excluded.value",
		name, value); err != nil {
		return fmt.Errorf("cannot set cursor %q: %w", name, err)
	}
	return nil
}
