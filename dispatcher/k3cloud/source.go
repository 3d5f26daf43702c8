package k3cloud

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/dropship-operator/dropship-operator/dispatcher/config"
	"github.com/dropship-operator/dropship-operator/dispatcher/order"
)

// Canonical order fields that config.SalesOrderQuery.Fields maps to K3Cloud field keys.
// A missing or empty entry takes the default below; "-" switches a field off.
const (
	FieldBillID            = "billID"
	FieldBillNo            = "billNo"
	FieldCustomer          = "customer"
	FieldCurrency          = "currency"
	FieldNote              = "note"
	FieldCreatedAt         = "createdAt"
	FieldShipToName        = "shipTo.name"
	FieldShipToPhone       = "shipTo.phone"
	FieldShipToAddress     = "shipTo.address"
	FieldShipToProvince    = "shipTo.province"
	FieldShipToCity        = "shipTo.city"
	FieldShipToDistrict    = "shipTo.district"
	FieldShipToPostal      = "shipTo.postalCode"
	FieldLineEntryID       = "line.entryID"
	FieldLineSKU           = "line.sku"
	FieldLineName          = "line.name"
	FieldLineQuantity      = "line.quantity"
	FieldLineUnitPrice     = "line.unitPrice"
	FieldLineNote          = "line.note"
	fieldApprovedAt        = "approvedAt" // always the watermark field
	fieldDocumentStatus    = "documentStatus"
	fieldCancelStatus      = "cancelStatus"
	disabledField          = "-"
	defaultInitialLookback = 24 * time.Hour
)

// DefaultSalesOrderFields are the field keys read when config.SalesOrderQuery.Fields says
// nothing. Province, city, district and postal code are parsed from the address unless
// mapped to fields of their own; currency is not read (CNY) unless mapped.
var DefaultSalesOrderFields = map[string]string{
	FieldBillID:        "FID",
	FieldBillNo:        "FBillNo",
	FieldCustomer:      "FCustId.FNumber",
	FieldNote:          "FNote",
	FieldCreatedAt:     "FDate",
	FieldShipToName:    "FLinkMan",
	FieldShipToPhone:   "FLinkPhone",
	FieldShipToAddress: "FReceiveAddress",
	FieldLineEntryID:   "FSaleOrderEntry_FEntryID",
	FieldLineSKU:       "FMaterialId.FNumber",
	FieldLineName:      "FMaterialId.FName",
	FieldLineQuantity:  "FQty",
	FieldLineUnitPrice: "FTaxPrice",
	FieldLineNote:      "FEntryNote",
}

var canonicalFields = []string{FieldBillID, FieldBillNo, FieldCustomer, FieldCurrency, FieldNote, FieldCreatedAt,
	FieldShipToName, FieldShipToPhone, FieldShipToAddress, FieldShipToProvince, FieldShipToCity, FieldShipToDistrict,
	FieldShipToPostal, FieldLineEntryID, FieldLineSKU, FieldLineName, FieldLineQuantity, FieldLineUnitPrice, FieldLineNote}

// SourceOptions tune a Source beyond the config.
type SourceOptions struct {
	// Location is the ERP server's time zone (K3Cloud dates carry no offset); default
	// Asia/Shanghai.
	Location *time.Location
	// InitialLookback is how far back the first poll (empty watermark) reaches; default 24h.
	InitialLookback time.Duration
	// Now is the clock; default time.Now.
	Now func() time.Time
}

// Source pulls audited sales orders from K3Cloud. It keeps no state: the caller stores the
// watermark Poll returns once the orders are committed, and passes it to the next Poll.
type Source struct {
	c       *Client
	name    string
	cfg     config.SalesOrderQuery
	opts    SourceOptions
	keys    []string       // FieldKeys in query order
	idx     map[string]int // canonical field → index in keys
	entryID string
}

// NewSource builds the order source of one OrderSource (name is recorded on every order).
func NewSource(c *Client, name string, cfg config.SalesOrderQuery, opts SourceOptions) (*Source, error) {
	if cfg.FormID == "" {
		cfg.FormID = config.DefaultSalesOrderForm
	}
	if cfg.WatermarkField == "" {
		cfg.WatermarkField = config.DefaultWatermarkField
	}
	if cfg.PageSize <= 0 {
		cfg.PageSize = config.DefaultPageSize
	}
	if cfg.Overlap.Duration <= 0 {
		cfg.Overlap = config.D(config.DefaultPollOverlap)
	}
	if opts.Location == nil {
		opts.Location = chinaZone()
	}
	if opts.InitialLookback <= 0 {
		opts.InitialLookback = defaultInitialLookback
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	s := &Source{c: c, name: name, cfg: cfg, opts: opts, idx: map[string]int{}}
	add := func(canon, key string) error {
		if !ValidFieldKey(key) {
			return fmt.Errorf("cannot create K3Cloud source %q: field %s = %q is not a field key", name, canon, key)
		}
		s.idx[canon] = len(s.keys)
		s.keys = append(s.keys, key)
		return nil
	}
	for _, canon := range canonicalFields {
		key, ok := cfg.Fields[canon]
		if !ok || key == "" {
			key = DefaultSalesOrderFields[canon]
		}
		if key == "" || key == disabledField {
			continue
		}
		if err := add(canon, key); err != nil {
			return nil, err
		}
	}
	for k := range cfg.Fields {
		if !contains(canonicalFields, k) {
			return nil, fmt.Errorf("cannot create K3Cloud source %q: unknown order field %q", name, k)
		}
	}
	for _, must := range []string{FieldBillNo, FieldLineEntryID, FieldLineSKU, FieldLineQuantity} {
		if _, ok := s.idx[must]; !ok {
			return nil, fmt.Errorf("cannot create K3Cloud source %q: field %s cannot be switched off", name, must)
		}
	}
	if err := add(fieldApprovedAt, cfg.WatermarkField); err != nil {
		return nil, err
	}
	s.entryID = s.keys[s.idx[FieldLineEntryID]]
	if err := Raw(cfg.Filter).Err(); err != nil {
		return nil, err
	}
	return s, nil
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

func chinaZone() *time.Location {
	if loc, err := time.LoadLocation(config.DefaultTimezone); err == nil {
		return loc
	}
	return time.FixedZone("CST", 8*3600)
}

// Poll reads every audited, not cancelled sales order whose watermark field is at or
// after watermark minus the overlap window (and matches the OrderSource's filter), grouped
// into orders, and returns the watermark to store once the orders are committed. An empty
// watermark starts InitialLookback back. Orders that fail order.Validate are returned as
// they are: the caller dead-letters them with the reason. Orders seen by an earlier poll
// (the overlap) come back again; intake dedupes them.
func (s *Source) Poll(ctx context.Context, watermark string) ([]*order.Order, string, error) {
	var from time.Time
	if watermark == "" {
		from = s.opts.Now().In(s.opts.Location).Add(-s.opts.InitialLookback).Truncate(time.Second)
		watermark = from.Format(FilterTimeLayout)
	} else {
		wm, err := time.ParseInLocation(FilterTimeLayout, watermark, s.opts.Location)
		if err != nil {
			return nil, watermark, fmt.Errorf("cannot parse watermark %q: %w", watermark, err)
		}
		from = wm.Add(-s.cfg.Overlap.Duration)
	}
	wmKey := s.cfg.WatermarkField
	q := Query{
		FormID:    s.cfg.FormID,
		FieldKeys: s.keys,
		Filter: And(
			Eq("FDocumentStatus", "C"),
			Eq("FCancelStatus", "A"),
			Ge(wmKey, from),
			Raw(s.cfg.Filter),
		),
		OrderString: wmKey + " ASC, FID ASC, " + s.entryID + " ASC",
	}
	var orders []*order.Order
	byBill := map[string]*order.Order{}
	next := watermark
	var max time.Time
	err := s.c.QueryPages(ctx, q, s.cfg.PageSize, func(rows []Row) error {
		for _, r := range rows {
			billNo := r.String(s.idx[FieldBillNo])
			o, seen := byBill[billNo]
			if !seen {
				o = s.header(r)
				byBill[billNo] = o
				orders = append(orders, o)
			}
			o.Lines = append(o.Lines, s.line(r))
			if t := o.ApprovedAt; t.After(max) {
				max = t
			}
		}
		return nil
	})
	if err != nil {
		return nil, watermark, fmt.Errorf("cannot poll %q sales orders: %w", s.name, err)
	}
	if !max.IsZero() {
		if m := max.Truncate(time.Second).Format(FilterTimeLayout); m > next {
			next = m
		}
	}
	return orders, next, nil
}

func (s *Source) str(r Row, canon string) string {
	i, ok := s.idx[canon]
	if !ok {
		return ""
	}
	return strings.TrimSpace(r.String(i))
}

func (s *Source) header(r Row) *order.Order {
	o := &order.Order{
		Source:   s.name,
		BillNo:   s.str(r, FieldBillNo),
		BillID:   s.str(r, FieldBillID),
		Customer: s.str(r, FieldCustomer),
		Currency: s.str(r, FieldCurrency),
		Note:     s.str(r, FieldNote),
		ShipTo: order.ShipTo{
			Name:       s.str(r, FieldShipToName),
			Phone:      s.str(r, FieldShipToPhone),
			Address:    s.str(r, FieldShipToAddress),
			Province:   s.str(r, FieldShipToProvince),
			City:       s.str(r, FieldShipToCity),
			District:   s.str(r, FieldShipToDistrict),
			PostalCode: s.str(r, FieldShipToPostal),
		},
	}
	if i, ok := s.idx[FieldCreatedAt]; ok {
		o.CreatedAt = r.Time(i, s.opts.Location)
	}
	o.ApprovedAt = r.Time(s.idx[fieldApprovedAt], s.opts.Location)
	if o.ShipTo.Province == "" {
		if p, c, d, ok := ParseAddress(o.ShipTo.Address); ok {
			o.ShipTo.Province = p
			if o.ShipTo.City == "" {
				o.ShipTo.City = c
			}
			if o.ShipTo.District == "" {
				o.ShipTo.District = d
			}
		}
	} else if p, _, _, ok := ParseAddress(o.ShipTo.Province); ok {
		o.ShipTo.Province = p // normalise "广东" to "广东省"
	}
	return o
}

func (s *Source) line(r Row) order.Line {
	l := order.Line{
		EntryID: s.str(r, FieldLineEntryID),
		SKU:     s.str(r, FieldLineSKU),
		Name:    s.str(r, FieldLineName),
		Note:    s.str(r, FieldLineNote),
	}
	l.Quantity = r.Float(s.idx[FieldLineQuantity])
	if i, ok := s.idx[FieldLineUnitPrice]; ok {
		l.UnitPrice = r.Float(i)
	}
	return l
}

// Cancellation says a sales order that was pulled is no longer to be shipped.
type Cancellation struct {
	BillNo string
	// Reason is "cancelled" (FCancelStatus B), "unaudited" (FDocumentStatus not C) or
	// "deleted" (the bill is gone).
	Reason string
	// DocumentStatus and CancelStatus are the bill's current values ("" when deleted).
	DocumentStatus string
	CancelStatus   string
}

// cancelChunk is how many bill numbers one cancellation query carries.
const cancelChunk = 500

// Cancelled checks the given bill numbers and returns those now unaudited, cancelled or
// deleted, for cancel propagation.
func (s *Source) Cancelled(ctx context.Context, billNos []string) ([]Cancellation, error) {
	var out []Cancellation
	for startIdx := 0; startIdx < len(billNos); startIdx += cancelChunk {
		chunk := billNos[startIdx:min(startIdx+cancelChunk, len(billNos))]
		q := Query{
			FormID:      s.cfg.FormID,
			FieldKeys:   []string{"FBillNo", "FDocumentStatus", "FCancelStatus"},
			Filter:      In("FBillNo", chunk...),
			OrderString: "FID ASC",
		}
		rows, err := s.c.QueryAll(ctx, q, s.cfg.PageSize)
		if err != nil {
			return nil, fmt.Errorf("cannot check %d %q sales orders for cancellation: %w", len(chunk), s.name, err)
		}
		found := map[string]bool{}
		for _, r := range rows {
			no, st, cs := r.String(0), r.String(1), r.String(2)
			if found[no] {
				continue
			}
			found[no] = true
			switch {
			case cs == "B":
				out = append(out, Cancellation{BillNo: no, Reason: "cancelled", DocumentStatus: st, CancelStatus: cs})
			case st != "C":
				out = append(out, Cancellation{BillNo: no, Reason: "unaudited", DocumentStatus: st, CancelStatus: cs})
			}
		}
		for _, no := range chunk {
			if !found[no] {
				out = append(out, Cancellation{BillNo: no, Reason: "deleted"})
			}
		}
	}
	return out, nil
}

// entryIDInt parses a sales-order entry id for numeric link fields.
func entryIDInt(s string) (int64, bool) {
	n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	return n, err == nil
}
