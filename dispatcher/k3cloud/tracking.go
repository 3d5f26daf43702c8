package k3cloud

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/dropship-operator/dropship-operator/dispatcher/config"
)

// TrackingUpdate is one shipped line whose tracking number goes to the sales order.
type TrackingUpdate struct {
	// Key is the caller's id for the line; TrackingResult carries it back.
	Key string
	// SalesOrderNo and SalesOrderID (the FID, order.Order.BillID) name the sales order; when
	// the id is empty it is looked up by number.
	SalesOrderNo string
	SalesOrderID string
	// EntryID is the sales-order line (used when the fields are entry-level).
	EntryID    string
	TrackingNo string
	Carrier    string
}

// TrackingResult is what happened to one TrackingUpdate.
type TrackingResult struct {
	Key string
	Err error
}

// TrackingWriter writes tracking numbers to sales orders.
type TrackingWriter struct {
	c      *Client
	formID string
	cfg    config.TrackingWriteBack
	entry  string
}

// NewTrackingWriter builds the tracking write-back on formID (SAL_SaleOrder by default).
func NewTrackingWriter(c *Client, formID string, cfg config.TrackingWriteBack) (*TrackingWriter, error) {
	if formID == "" {
		formID = config.DefaultSalesOrderForm
	}
	if cfg.BatchSize <= 0 {
		cfg.BatchSize = config.DefaultWriteBackBatch
	}
	for _, f := range []string{cfg.TrackingNumberField, cfg.CarrierField} {
		if f != "" && (!ValidFieldKey(f) || strings.Contains(f, ".")) {
			return nil, fmt.Errorf("cannot create tracking write-back: %q is not a field key", f)
		}
	}
	if cfg.TrackingNumberField == "" {
		return nil, fmt.Errorf("cannot create tracking write-back: trackingNumberField is required")
	}
	return &TrackingWriter{c: c, formID: formID, cfg: cfg, entry: "FSaleOrderEntry"}, nil
}

// WriteTracking writes the tracking numbers (and carriers) with BatchSave, BatchSize sales
// orders per call, updating only those fields (NeedUpDateFields, IsDeleteEntry=false).
// Header-level fields collect every line's number, comma-separated, merged with what the
// order already holds. The write is an update of fixed values, so repeating it is safe:
// records whose batch failed in an unknown way are tried once more.
func (w *TrackingWriter) WriteTracking(ctx context.Context, updates []TrackingUpdate) []TrackingResult {
	res := make([]TrackingResult, len(updates))
	for i, u := range updates {
		res[i].Key = u.Key
	}
	ids, current, err := w.resolve(ctx, updates)
	if err != nil {
		for i := range res {
			res[i].Err = err
		}
		return res
	}
	type billUpdate struct {
		fid     int64
		indices []int
	}
	var bills []*billUpdate
	byBill := map[string]*billUpdate{}
	for i, u := range updates {
		fid, ok := ids[u.SalesOrderNo]
		if !ok {
			res[i].Err = fmt.Errorf("cannot write tracking to sales order %q: it does not exist", u.SalesOrderNo)
			continue
		}
		b := byBill[u.SalesOrderNo]
		if b == nil {
			b = &billUpdate{fid: fid}
			byBill[u.SalesOrderNo] = b
			bills = append(bills, b)
		}
		b.indices = append(b.indices, i)
	}
	fields := []string{w.cfg.TrackingNumberField}
	if w.cfg.CarrierField != "" {
		fields = append(fields, w.cfg.CarrierField)
	}
	opts := SaveOptions{NeedUpDateFields: fields, KeepEntries: true}
	if w.cfg.EntryLevel {
		opts.NeedUpDateFields = append([]string{w.entry}, fields...)
	}
	pending := bills
	for attempt := 0; attempt < 2 && len(pending) > 0; attempt++ {
		var retry []*billUpdate
		for s := 0; s < len(pending); s += w.cfg.BatchSize {
			batch := pending[s:min(s+w.cfg.BatchSize, len(pending))]
			models := make([]any, len(batch))
			for j, b := range batch {
				m := map[string]any{"FID": b.fid}
				if w.cfg.EntryLevel {
					var ents []any
					for _, i := range b.indices {
						e := map[string]any{"FEntryID": entryValue(updates[i].EntryID), w.cfg.TrackingNumberField: updates[i].TrackingNo}
						if w.cfg.CarrierField != "" {
							e[w.cfg.CarrierField] = updates[i].Carrier
						}
						ents = append(ents, e)
					}
					m[w.entry] = ents
				} else {
					var nos, carriers []string
					cur := current[b.fid]
					nos, carriers = splitList(cur[0]), splitList(cur[1])
					for _, i := range b.indices {
						nos = appendUnique(nos, updates[i].TrackingNo)
						carriers = appendUnique(carriers, updates[i].Carrier)
					}
					m[w.cfg.TrackingNumberField] = strings.Join(nos, ",")
					if w.cfg.CarrierField != "" {
						m[w.cfg.CarrierField] = strings.Join(carriers, ",")
					}
				}
				models[j] = m
			}
			out, err := w.c.BatchSave(ctx, w.formID, models, opts)
			saved := map[int]bool{}
			for _, e := range out.Entities {
				saved[int(e.DIndex)] = true
			}
			var ke *Error
			isBiz := errors.As(err, &ke) && ke.HTTPStatus == 0 && !Temporary(err)
			for j, b := range batch {
				switch {
				case saved[j]:
					for _, i := range b.indices {
						res[i].Err = nil
					}
				case isBiz && len(ke.ForIndex(j)) > 0:
					fe := ke.ForIndex(j)
					for _, i := range b.indices {
						res[i].Err = &Error{Service: ke.Service, MsgCode: ke.MsgCode, Errors: relabel(fe), Message: fe[0].Message}
					}
				default:
					if err == nil {
						err = &Error{Service: "BatchSave", Message: "record neither saved nor refused", kind: ErrDecode}
					}
					for _, i := range b.indices {
						res[i].Err = fmt.Errorf("cannot write tracking to sales order %q: %w", updates[i].SalesOrderNo, err)
					}
					retry = append(retry, b)
				}
			}
		}
		pending = retry
	}
	return res
}

func entryValue(id string) any {
	if n, err := strconv.ParseInt(id, 10, 64); err == nil {
		return n
	}
	return id
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func appendUnique(list []string, v string) []string {
	if v == "" {
		return list
	}
	for _, x := range list {
		if x == v {
			return list
		}
	}
	return append(list, v)
}

// resolve finds the FID of every sales order (from the updates or by number) and, for
// header-level fields, the values they hold now.
func (w *TrackingWriter) resolve(ctx context.Context, updates []TrackingUpdate) (map[string]int64, map[int64][2]string, error) {
	ids := map[string]int64{}
	var lookup []string
	seen := map[string]bool{}
	for _, u := range updates {
		if n, err := strconv.ParseInt(u.SalesOrderID, 10, 64); err == nil && n > 0 {
			ids[u.SalesOrderNo] = n
		}
	}
	for _, u := range updates {
		if _, ok := ids[u.SalesOrderNo]; !ok || !w.cfg.EntryLevel {
			if !seen[u.SalesOrderNo] {
				seen[u.SalesOrderNo] = true
				lookup = append(lookup, u.SalesOrderNo)
			}
		}
	}
	current := map[int64][2]string{}
	if len(lookup) == 0 {
		return ids, current, nil
	}
	keys := []string{"FID", "FBillNo", w.cfg.TrackingNumberField}
	if w.cfg.CarrierField != "" {
		keys = append(keys, w.cfg.CarrierField)
	}
	if w.cfg.EntryLevel {
		keys = keys[:2]
	}
	step := max(w.cfg.BatchSize, lookupChunk)
	for i := 0; i < len(lookup); i += step {
		chunk := lookup[i:min(i+step, len(lookup))]
		rows, err := w.c.QueryAll(ctx, Query{FormID: w.formID, FieldKeys: keys, Filter: In("FBillNo", chunk...), OrderString: "FID ASC"}, 0)
		if err != nil {
			return nil, nil, fmt.Errorf("cannot look up %d sales orders for tracking: %w", len(chunk), err)
		}
		for _, r := range rows {
			fid := int64(r.Float(0))
			ids[r.String(1)] = fid
			if !w.cfg.EntryLevel {
				current[fid] = [2]string{r.String(2), r.String(3)}
			}
		}
	}
	return ids, current, nil
}
