package sqlite

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/dropship-operator/dropship-operator/dispatcher/store/internal/journal"
)

// Purge deletes finished lines changed before before, and the orders left without lines
// (see store.Store).
func (s *Store) Purge(ctx context.Context, before time.Time, limit int) (int, error) {
	limit = journal.PurgeLimit(limit)
	var n int
	err := s.w.do(ctx, func(t *tx) error {
		n = 0
		type line struct {
			id, bill string
			order    int64
		}
		var lines []line
		for _, st := range journal.PurgeStates {
			rows, err := t.conn.QueryContext(t.ctx, "SELECT id, order_id, bill_no FROM lines WHERE state = ? AND updated_at < ? LIMIT ?",
				st, journal.Nanos(before), limit-len(lines))
			if err != nil {
				return err
			}
			for rows.Next() {
				var l line
				if err := rows.Scan(&l.id, &l.order, &l.bill); err != nil {
					rows.Close()
					return err
				}
				lines = append(lines, l)
			}
			if err := rows.Close(); err != nil {
				return err
			}
			if len(lines) >= limit {
				break
			}
		}
		if len(lines) == 0 {
			return nil
		}
		args := make([]any, len(lines))
		for i, l := range lines {
			args[i] = l.id
		}
		if _, err := t.conn.ExecContext(t.ctx, "DELETE FROM lines WHERE id IN (?"+strings.Repeat(", ?", len(lines)-1)+")", args...); err != nil {
			return err
		}
		// An order's lines share its bill number, so the bill index finds what is left.
		done := map[int64]bool{}
		for _, l := range lines {
			if done[l.order] {
				continue
			}
			done[l.order] = true
			if _, err := t.conn.ExecContext(t.ctx,
				"DELETE FROM orders WHERE id = ?1 AND NOT EXISTS (SELECT 1 FROM lines WHERE bill_no = ?2 AND order_id = ?1)", l.order, l.bill); err != nil {
				return err
			}
		}
		n = len(lines)
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("cannot purge lines changed before %s: %w", before.Format(time.RFC3339), err)
	}
	return n, nil
}
