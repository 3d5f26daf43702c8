package k3cloud

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Query is the data of ExecuteBillQuery / BillQuery (reference §4).
type Query struct {
	FormID string
	// FieldKeys are sent comma-separated; each must be a field key.
	FieldKeys []string
	// Filter is the FilterString.
	Filter Filter
	// OrderString is an ORDER BY fragment over field keys, for example "FID ASC".
	OrderString string
	// TopRowCount caps the whole result (0 = no cap). It is an absolute end row, not a page size.
	TopRowCount int
	StartRow    int
	// Limit is the page size; 0 asks for the server maximum.
	Limit int
}

func (q Query) data() (string, error) {
	if q.FormID == "" {
		return "", fmt.Errorf("cannot query: FormId is empty")
	}
	for _, k := range q.FieldKeys {
		if !ValidFieldKey(k) {
			return "", fmt.Errorf("cannot query %q: %q is not a field key", q.FormID, k)
		}
	}
	if err := q.Filter.Err(); err != nil {
		return "", fmt.Errorf("cannot query %q: %w", q.FormID, err)
	}
	b, err := json.Marshal(map[string]any{
		"FormId":       q.FormID,
		"FieldKeys":    strings.Join(q.FieldKeys, ","),
		"FilterString": q.Filter.String(),
		"OrderString":  q.OrderString,
		"TopRowCount":  q.TopRowCount,
		"StartRow":     q.StartRow,
		"Limit":        q.Limit,
	})
	return string(b), err
}

// Row is one row of an ExecuteBillQuery answer: element i is the value of FieldKeys[i].
type Row []json.RawMessage

// String returns element i as text: strings as they are, numbers in their JSON form,
// null as "".
func (r Row) String(i int) string {
	if i < 0 || i >= len(r) {
		return ""
	}
	var s LooseString
	_ = s.UnmarshalJSON(r[i])
	return string(s)
}

// Float returns element i as a number (numeric strings too); 0 when it is not one.
func (r Row) Float(i int) float64 {
	f, _ := strconv.ParseFloat(strings.TrimSpace(r.String(i)), 64)
	return f
}

// Time parses element i as a K3Cloud local date-time ("2024-12-23T16:50:01.487", no offset)
// in loc; zero when empty or unparsable.
func (r Row) Time(i int, loc *time.Location) time.Time {
	t, _ := ParseTime(r.String(i), loc)
	return t
}

// ParseTime parses the date forms K3Cloud answers and accepts: ISO without offset and any
// number of fractional digits, "yyyy-MM-dd HH:mm:ss", "yyyy-MM-dd".
func ParseTime(s string, loc *time.Location) (time.Time, error) {
	s = strings.TrimSpace(s)
	for _, l := range []string{"2006-01-02T15:04:05.999999999", "2006-01-02 15:04:05.999999999", "2006-01-02", "2006/1/2 15:04:05", "2006/1/2"} {
		if t, err := time.ParseInLocation(l, s, loc); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("cannot parse K3Cloud date %q", s)
}

// ExecuteBillQuery runs one query and returns its rows. Errors come back as *Error (the
// server wraps them in [[…]]).
func (c *Client) ExecuteBillQuery(ctx context.Context, q Query) ([]Row, error) {
	data, err := q.data()
	if err != nil {
		return nil, err
	}
	var rows []Row
	err = c.invoke(ctx, SvcExecuteBillQuery, []any{data}, readCall, func(raw []byte) error {
		rows = nil
		return decodeRows(raw, &rows)
	})
	return rows, err
}

func decodeRows(raw []byte, rows *[]Row) error {
	if err := json.Unmarshal(raw, rows); err != nil {
		// Some answers are a bare error object instead of rows.
		var env resultEnvelope
		if json.Unmarshal(raw, &env) == nil {
			if st := env.status(); st != nil {
				return st.asError("ExecuteBillQuery")
			}
		}
		return &Error{Service: "ExecuteBillQuery", Message: "answer is not a list of rows", kind: ErrDecode}
	}
	if len(*rows) > 0 && len((*rows)[0]) > 0 {
		first := bytes.TrimSpace((*rows)[0][0])
		if len(first) > 0 && first[0] == '{' {
			var env resultEnvelope
			if json.Unmarshal(first, &env) == nil {
				if st := env.status(); st != nil && !bool(st.IsSuccess) {
					return st.asError("ExecuteBillQuery")
				}
			}
		}
	}
	return nil
}

// BillQuery runs one query with the newer service that answers rows as objects keyed by
// the field keys.
func (c *Client) BillQuery(ctx context.Context, q Query) ([]map[string]any, error) {
	data, err := q.data()
	if err != nil {
		return nil, err
	}
	var rows []map[string]any
	err = c.invoke(ctx, SvcBillQuery, []any{data}, readCall, func(raw []byte) error {
		rows = nil
		t := bytes.TrimSpace(raw)
		if len(t) > 0 && t[0] == '{' {
			var env resultEnvelope
			if json.Unmarshal(t, &env) == nil {
				if st := env.status(); st != nil {
					return st.asError("BillQuery")
				}
			}
			return &Error{Service: "BillQuery", Message: "answer is not a list of rows", kind: ErrDecode}
		}
		if err := json.Unmarshal(t, &rows); err != nil {
			return &Error{Service: "BillQuery", Message: "answer is not a list of rows", kind: ErrDecode}
		}
		return nil
	})
	return rows, err
}

// clampedPage reports whether a short page may have been cut by the server's maximum
// Limit rather than by the end of the result: the maximum is 2000 on older builds, 10000
// since 23.11 and configurable (WebAPIMaxQueryLimit), always a round number, and the server
// clamps silently. Such a page is followed by one more request.
func clampedPage(n int) bool { return n > 0 && n%500 == 0 }

// minServerLimit is the smallest maximum Limit of any server version: pages up to this
// size are never clamped.
const minServerLimit = 2000

// QueryPages pages through the whole result of q with pages of pageSize rows (q.Limit when
// pageSize is 0), calling fn with each page. TopRowCount is honoured on the client side
// and sent as 0: the server treats it as an absolute end row, so sending it with StartRow
// would silently empty later pages. A page shorter than asked ends the scan, unless its
// length looks like a server maximum (see clampedPage).
func (c *Client) QueryPages(ctx context.Context, q Query, pageSize int, fn func([]Row) error) error {
	if pageSize <= 0 {
		pageSize = q.Limit
	}
	if pageSize <= 0 {
		pageSize = 2000
	}
	top := q.TopRowCount
	q.TopRowCount = 0
	start := q.StartRow
	sawFull := false
	for {
		limit := pageSize
		if top > 0 && start+limit > top {
			limit = top - start
		}
		if limit <= 0 {
			return nil
		}
		q.StartRow, q.Limit = start, limit
		rows, err := c.ExecuteBillQuery(ctx, q)
		if err != nil {
			return fmt.Errorf("cannot read %q rows from %d: %w", q.FormID, start, err)
		}
		if len(rows) > 0 {
			if err := fn(rows); err != nil {
				return err
			}
		}
		start += len(rows)
		// Once a full page came back the server's maximum is at least the page size, so a
		// short page is the end.
		if len(rows) == limit {
			sawFull = true
		}
		if len(rows) == 0 || (len(rows) < limit && (sawFull || limit <= minServerLimit || !clampedPage(len(rows)))) {
			return nil
		}
	}
}

// QueryAll is QueryPages collecting every row.
func (c *Client) QueryAll(ctx context.Context, q Query, pageSize int) ([]Row, error) {
	var all []Row
	err := c.QueryPages(ctx, q, pageSize, func(rows []Row) error {
		all = append(all, rows...)
		return nil
	})
	return all, err
}
