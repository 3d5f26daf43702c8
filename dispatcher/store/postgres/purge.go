package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/dropship-operator/dropship-operator/dispatcher/store/internal/journal"
)

// purgeSQL deletes finished lines and returns the orders they belonged to. SKIP LOCKED
// leaves lines another replica is touching for the next purge.
const purgeSQL = `WITH d AS (
	DELETE FROM lines WHERE id IN (
		SELECT id FROM lines WHERE state = ANY($1) AND updated_at < $2 LIMIT $3 FOR UPDATE SKIP LOCKED
	) RETURNING order_id
)
SELECT COUNT(*), COALESCE(ARRAY_AGG(DISTINCT order_id), '{}') FROM d`

// Purge deletes finished lines changed before before, and the orders left without lines
// (see store.Store).
func (s *Store) Purge(ctx context.Context, before time.Time, limit int) (int, error) {
	var n int
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var orders []int64
		if err := tx.QueryRow(ctx, purgeSQL, journal.PurgeStates, journal.Nanos(before), journal.PurgeLimit(limit)).Scan(&n, &orders); err != nil {
			return err
		}
		if len(orders) == 0 {
			return nil
		}
		_, err := tx.Exec(ctx, "DELETE FROM orders o WHERE o.id = ANY($1) AND NOT EXISTS (SELECT 1 FROM lines l WHERE l.order_id = o.id)", orders)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("cannot purge lines changed before %s: %w", before.Format(time.RFC3339), err)
	}
	return n, nil
}
