package k3cloud

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/dropship-operator/dropship-operator/dispatcher/config"
	"github.com/dropship-operator/dropship-operator/dispatcher/order"
)

// POLine is one accepted supplier delivery to record as a purchase order: one PO per line,
// linked to the sales-order line it serves.
type POLine struct {
	// Key is the caller's id for the line (the journal's line id); POResult carries it back.
	Key string
	// SalesOrderNo and SalesOrderEntryID are the sales-order line the PO serves (the link).
	SalesOrderNo      string
	SalesOrderEntryID string
	// SalesOrderEntrySeq is the line's row number, written to FDEMANDBILLENTRYSEQ when set.
	SalesOrderEntrySeq int
	// SupplierNumber is the supplier's number in our ERP (FSupplierId.FNumber).
	SupplierNumber string
	SKU            string
	Quantity       float64
	// TaxPrice is the purchase price per unit including tax; 0 leaves it to the ERP's price list.
	TaxPrice float64
	// ShipTo is written to FLocationAddress so the PO shows where the goods go.
	ShipTo order.ShipTo
	// SupplierOrderID is the supplier's order id, written to the entry note.
	SupplierOrderID string
	// Date of the PO; today when zero.
	Date time.Time
}

// POResult is what happened to one POLine.
type POResult struct {
	Key string
	// BillNo and BillID are the purchase order's number and FID.
	BillNo string
	BillID int64
	// Existing is true when the PO was already in the ERP (a retry after a crash).
	Existing bool
	// Err is the failure for this line: a *Error carrying Kingdee's message for the record
	// (dead-letter it), or a temporary failure (retry later; the retry finds any PO that
	// was saved meanwhile).
	Err error
}

// PurchaseWriter records purchase orders in our ERP.
type PurchaseWriter struct {
	c   *Client
	cfg config.PurchaseOrders
	loc *time.Location
	now func() time.Time
}

// WriterOptions tune the write-backs.
type WriterOptions struct {
	// Location is the ERP's time zone for dates; default Asia/Shanghai.
	Location *time.Location
	// Now is the clock; default time.Now.
	Now func() time.Time
}

// NewPurchaseWriter builds the purchase-order write-back.
func NewPurchaseWriter(c *Client, cfg config.PurchaseOrders, opts WriterOptions) (*PurchaseWriter, error) {
	if cfg.FormID == "" {
		cfg.FormID = config.DefaultPurchaseForm
	}
	if cfg.BillTypeNumber == "" {
		cfg.BillTypeNumber = config.DefaultPOBillType
	}
	if cfg.LinkField == "" {
		cfg.LinkField = config.DefaultPOLinkField
	}
	if cfg.BatchSize <= 0 {
		cfg.BatchSize = config.DefaultWriteBackBatch
	}
	if cfg.PurchaseOrgNumber == "" {
		return nil, fmt.Errorf("cannot create purchase-order write-back: purchaseOrgNumber is required")
	}
	if !ValidFieldKey(cfg.LinkField) || strings.Contains(cfg.LinkField, ".") {
		return nil, fmt.Errorf("cannot create purchase-order write-back: link field %q is not an entry field key", cfg.LinkField)
	}
	if opts.Location == nil {
		opts.Location = chinaZone()
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &PurchaseWriter{c: c, cfg: cfg, loc: opts.Location, now: opts.Now}, nil
}

func (w *PurchaseWriter) defaultLink() bool {
	return strings.EqualFold(w.cfg.LinkField, "FDEMANDBILLENTRYID")
}

// linkValue is what the link field holds for a line: the entry id for FDEMANDBILLENTRYID
// (next to FDEMANDBILLNO), "billNo/entryID" for a custom text field.
func (w *PurchaseWriter) linkValue(l POLine) any {
	if w.defaultLink() {
		if n, ok := entryIDInt(l.SalesOrderEntryID); ok {
			return n
		}
		return l.SalesOrderEntryID
	}
	return order.LineID("", l.SalesOrderNo, l.SalesOrderEntryID)[1:]
}

func (w *PurchaseWriter) linkKey(billNo, link string) string {
	if w.defaultLink() {
		return billNo + "\x00" + link
	}
	return link
}

func (w *PurchaseWriter) lineKey(l POLine) string {
	return w.linkKey(l.SalesOrderNo, fmt.Sprint(w.linkValue(l)))
}

type existingPO struct {
	id     int64
	number string
	status string
}

// lookupChunk is how many links one existence query carries at least (BatchSize when larger).
const lookupChunk = 500

// existing finds purchase orders (not cancelled) that already carry the links of lines.
func (w *PurchaseWriter) existing(ctx context.Context, lines []POLine) (map[string]existingPO, error) {
	found := map[string]existingPO{}
	step := max(w.cfg.BatchSize, lookupChunk)
	for i := 0; i < len(lines); i += step {
		chunk := lines[i:min(i+step, len(lines))]
		links := make([]any, 0, len(chunk))
		billSet := map[string]bool{}
		var bills []string
		for _, l := range chunk {
			links = append(links, w.linkValue(l))
			if !billSet[l.SalesOrderNo] {
				billSet[l.SalesOrderNo] = true
				bills = append(bills, l.SalesOrderNo)
			}
		}
		f := And(Eq("FCancelStatus", "A"), In(w.cfg.LinkField, links...))
		if w.defaultLink() {
			f = And(f, In("FDEMANDBILLNO", bills...))
		}
		q := Query{
			FormID:      w.cfg.FormID,
			FieldKeys:   []string{"FID", "FBillNo", "FDocumentStatus", "FDEMANDBILLNO", w.cfg.LinkField},
			Filter:      f,
			OrderString: "FID ASC",
		}
		rows, err := w.c.QueryAll(ctx, q, 0)
		if err != nil {
			return nil, fmt.Errorf("cannot look up purchase orders for %d lines: %w", len(chunk), err)
		}
		for _, r := range rows {
			k := w.linkKey(r.String(3), r.String(4))
			if _, dup := found[k]; !dup {
				found[k] = existingPO{id: int64(r.Float(0)), number: r.String(1), status: r.String(2)}
			}
		}
	}
	return found, nil
}

func (w *PurchaseWriter) model(l POLine) map[string]any {
	date := l.Date
	if date.IsZero() {
		date = w.now()
	}
	day := date.In(w.loc).Format("2006-01-02")
	entry := map[string]any{
		"FMaterialId":      map[string]any{"FNumber": l.SKU},
		"FQty":             l.Quantity,
		"FDeliveryDate":    day,
		"FLocationAddress": strings.TrimSpace(l.ShipTo.Address + " " + l.ShipTo.Name + " " + l.ShipTo.Phone),
		"FEntryNote":       strings.TrimSpace(fmt.Sprintf("SO %s line %s; supplier order %s", l.SalesOrderNo, l.SalesOrderEntryID, l.SupplierOrderID)),
		"FDEMANDBILLNO":    l.SalesOrderNo,
		w.cfg.LinkField:    w.linkValue(l),
	}
	if l.TaxPrice > 0 {
		entry["FTaxPrice"] = l.TaxPrice
	}
	if l.SalesOrderEntrySeq > 0 {
		entry["FDEMANDBILLENTRYSEQ"] = l.SalesOrderEntrySeq
	}
	return map[string]any{
		"FBillTypeID":     map[string]any{"FNumber": w.cfg.BillTypeNumber},
		"FDate":           day,
		"FSupplierId":     map[string]any{"FNumber": l.SupplierNumber},
		"FPurchaseOrgId":  map[string]any{"FNumber": w.cfg.PurchaseOrgNumber},
		"FPOOrderFinance": map[string]any{"FIsIncludedTax": true},
		"FPOOrderEntry":   []any{entry},
	}
}

// RecordPurchaseOrders saves one purchase order per line with BatchSave, BatchSize per
// call, optionally submitted and audited in the same call. It is idempotent: lines whose
// link is already on a purchase order get that order back (Existing) and nothing is saved
// for them. A batch that failed as a whole in a way that leaves its outcome unknown
// (transport, session, HTTP 5xx) is looked up again before the remaining lines are saved
// once more. Results are in the order of lines.
func (w *PurchaseWriter) RecordPurchaseOrders(ctx context.Context, lines []POLine) []POResult {
	res := make([]POResult, len(lines))
	for i, l := range lines {
		res[i].Key = l.Key
	}
	pending := make([]int, 0, len(lines))
	for i := range lines {
		pending = append(pending, i)
	}
	var lastErr error
	for attempt := 0; attempt < 2 && len(pending) > 0; attempt++ {
		sub := make([]POLine, len(pending))
		for j, i := range pending {
			sub[j] = lines[i]
		}
		found, err := w.existing(ctx, sub)
		if err != nil {
			lastErr = err
			break
		}
		var toSave []int
		for _, i := range pending {
			if e, ok := found[w.lineKey(lines[i])]; ok {
				res[i].BillNo, res[i].BillID, res[i].Existing = e.number, e.id, true
				if w.cfg.AutoSubmitAndAudit && e.status != "C" {
					res[i].Err = w.finishAudit(ctx, e)
				}
				continue
			}
			toSave = append(toSave, i)
		}
		var retry []int
		for b := 0; b < len(toSave); b += w.cfg.BatchSize {
			batch := toSave[b:min(b+w.cfg.BatchSize, len(toSave))]
			models := make([]any, len(batch))
			for j, i := range batch {
				models[j] = w.model(lines[i])
			}
			out, err := w.c.BatchSave(ctx, w.cfg.FormID, models, SaveOptions{AutoSubmitAndAudit: w.cfg.AutoSubmitAndAudit})
			saved := map[int]SuccessEntity{}
			for _, e := range out.Entities {
				saved[int(e.DIndex)] = e
			}
			var ke *Error
			isBiz := errors.As(err, &ke) && ke.HTTPStatus == 0 && !errors.Is(err, ErrSessionLost) && !Temporary(err)
			for j, i := range batch {
				if e, ok := saved[j]; ok {
					res[i].BillNo, res[i].BillID, res[i].Err = string(e.Number), int64(e.ID), nil
					continue
				}
				if isBiz {
					if fe := ke.ForIndex(j); len(fe) > 0 {
						res[i].Err = &Error{Service: ke.Service, MsgCode: ke.MsgCode, Errors: relabel(fe), Message: fe[0].Message}
						continue
					}
				}
				if err == nil {
					err = &Error{Service: "BatchSave", Message: "record neither saved nor refused", kind: ErrDecode}
				}
				lastErr = err
				retry = append(retry, i)
			}
		}
		pending = retry
	}
	for _, i := range pending {
		if res[i].BillNo == "" && res[i].Err == nil {
			res[i].Err = fmt.Errorf("cannot record purchase order for %s line %s: %w", lines[i].SalesOrderNo, lines[i].SalesOrderEntryID, lastErr)
		}
	}
	return res
}

func relabel(fe []FieldError) []FieldError {
	out := make([]FieldError, len(fe))
	for i, e := range fe {
		out[i] = FieldError{FieldName: e.FieldName, Message: e.Message}
	}
	return out
}

// finishAudit submits and audits a PO found in an earlier state (a crash between the save
// and the audit of a previous attempt).
func (w *PurchaseWriter) finishAudit(ctx context.Context, e existingPO) error {
	if e.status != "B" {
		if _, err := w.c.Submit(ctx, w.cfg.FormID, []string{e.number}); err != nil {
			return fmt.Errorf("cannot submit purchase order %q: %w", e.number, err)
		}
	}
	if _, err := w.c.Audit(ctx, w.cfg.FormID, []string{e.number}); err != nil {
		return fmt.Errorf("cannot audit purchase order %q: %w", e.number, err)
	}
	return nil
}
