package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

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

// intakeSQL journals one order: it inserts the order row and those of its lines not
// journaled yet (ON CONFLICT skips lines journaled before, by any replica), and returns the
// order row's id and the ids of the lines it inserted.
const intakeSQL = `WITH o AS (
	INSERT INTO orders (source, bill_no, body, created_at) VALUES ($1, $2, $3, $4) RETURNING id
), l AS (
	INSERT INTO lines (id, order_id, idx, source, bill_no, entry_id, state, version, created_at, updated_at)
	SELECT x.id, o.id, x.n - 1, $1, $2, x.entry_id, 'Received', 1, $4, $4
	FROM o, unnest($5::text[], $6::text[]) WITH ORDINALITY AS x(id, entry_id, n)
	ON CONFLICT (id) DO NOTHING
	RETURNING lines.id
)
SELECT (SELECT id FROM o), ARRAY(SELECT id FROM l)`

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
	// One statement per order, sent as one batch: one round trip and, the batch ending in
	// a single Sync, one implicit transaction.
	now := journal.Nanos(s.opts.now())
	b := &pgx.Batch{}
	for _, in := range ins {
		entries := make([]string, len(in.Order.Lines))
		for i, l := range in.Order.Lines {
			entries[i] = l.EntryID
		}
		b.Queue(intakeSQL, in.Order.Source, in.Order.BillNo, in.Body, now, in.IDs, entries)
	}
	results := make([]store.IntakeResult, len(ins))
	var orphans []int64
	err := func() error {
		// One order is one statement: no batch needed.
		row := func() pgx.Row { return s.pool.QueryRow(ctx, b.QueuedQueries[0].SQL, b.QueuedQueries[0].Arguments...) }
		var br pgx.BatchResults
		if len(ins) > 1 {
			br = s.pool.SendBatch(ctx, b)
			defer br.Close()
			row = br.QueryRow
		}
		for k, in := range ins {
			var oid int64
			var inserted []string
			if err := row().Scan(&oid, &inserted); err != nil {
				return fmt.Errorf("cannot insert order %q: %w", in.Order.BillNo, err)
			}
			fresh := make(map[string]bool, len(inserted))
			for _, id := range inserted {
				fresh[id] = true
			}
			for _, id := range in.IDs {
				if fresh[id] {
					results[k].New = append(results[k].New, id)
				} else {
					results[k].Existing = append(results[k].Existing, id)
				}
			}
			if len(inserted) == 0 {
				orphans = append(orphans, oid)
			}
		}
		if br != nil {
			// Close reports what the end of the implicit transaction says (its commit).
			return br.Close()
		}
		return nil
	}()
	if err == nil && len(orphans) > 0 {
		// A repeated delivery brought no new line: drop the order row it left. The intake
		// itself is committed, so a failure here is not the caller's: the row is only
		// unused (no line points at it), and is left.
		s.pool.Exec(ctx, "DELETE FROM orders WHERE id = ANY($1)", orphans) //nolint:errcheck // see above
	}
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
	accepted_at = CASE WHEN $1 = 'Accepted' AND $19 <> 'Accepted' THEN $16 ELSE accepted_at END,
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
	// All updates go in one batch: one round trip and, the batch ending in a single Sync,
	// one implicit transaction. The misses are looked up afterwards, to say why.
	b := &pgx.Batch{}
	for i := range changes {
		if args[i] != nil {
			b.Queue(changeSQL, args[i]...)
		}
	}
	if b.Len() == 0 {
		return results, nil
	}
	var missed []int
	err := func() error {
		// A lone change is one statement: no batch needed.
		exec := func() (pgconn.CommandTag, error) {
			return s.pool.Exec(ctx, changeSQL, b.QueuedQueries[0].Arguments...)
		}
		var br pgx.BatchResults
		if b.Len() > 1 {
			br = s.pool.SendBatch(ctx, b)
			defer br.Close()
			exec = br.Exec
		}
		for i, c := range changes {
			if args[i] == nil {
				continue
			}
			tag, err := exec()
			if err != nil {
				return fmt.Errorf("cannot change line %q: %w", c.ID, err)
			}
			if tag.RowsAffected() == 1 {
				results[i] = nil
			} else {
				missed = append(missed, i)
			}
		}
		if br != nil {
			// Close reports what the end of the implicit transaction says (its commit).
			return br.Close()
		}
		return nil
	}()
	for _, i := range missed {
		if err != nil {
			break
		}
		// The batch is committed: from here on, errors are the change's, not the call's.
		c := changes[i]
		var st string
		var v int64
		switch qerr := s.pool.QueryRow(ctx, "SELECT state, version FROM lines WHERE id = $1", c.ID).Scan(&st, &v); {
		case errors.Is(qerr, pgx.ErrNoRows):
			results[i] = fmt.Errorf("cannot change line %q: %w", c.ID, store.ErrNotFound)
		case qerr != nil:
			results[i] = fmt.Errorf("cannot move line %q from %s version %d, and cannot read it to say why: %w; %w",
				c.ID, c.From, c.Version, store.ErrConflict, qerr)
		default:
			results[i] = fmt.Errorf("cannot move line %q from %s version %d: it is %s version %d: %w",
				c.ID, c.From, c.Version, st, v, store.ErrConflict)
		}
	}
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
	limit = min(limit, store.MaxClaim)
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
