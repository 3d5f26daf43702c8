package journal

import (
	"github.com/dropship-operator/dropship-operator/dispatcher/order"
	"github.com/dropship-operator/dropship-operator/dispatcher/store"
)

// Rows is what both drivers' result sets offer (*sql.Rows and pgx.Rows), so the backends
// share one loop per kind of read. The caller closes the rows.
type Rows interface {
	Next() bool
	Scan(dest ...any) error
	Err() error
}

// ScanLines reads every row of LineColumns.
func ScanLines(rows Rows) ([]*store.Line, error) {
	var out []*store.Line
	orders := Orders{}
	for rows.Next() {
		l, err := ScanLine(rows.Scan, orders)
		if err != nil {
			return nil, err
		}
		out = append(out, l)
	}
	return out, rows.Err()
}

// CountBy reads rows of (key, count), as a GROUP BY returns them.
func CountBy(rows Rows) (map[string]int64, error) {
	out := map[string]int64{}
	for rows.Next() {
		var k string
		var n int64
		if err := rows.Scan(&k, &n); err != nil {
			return nil, err
		}
		out[k] = n
	}
	return out, rows.Err()
}

// StateCounts turns CountBy's result over the state column into Counts' answer: every state
// listed, zero when no line is in it.
func StateCounts(byState map[string]int64) map[order.State]int64 {
	out := make(map[order.State]int64, len(order.States))
	for _, st := range order.States {
		out[st] = 0
	}
	for st, n := range byState {
		out[order.State(st)] = n
	}
	return out
}
