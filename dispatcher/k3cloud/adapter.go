package k3cloud

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/dropship-operator/dropship-operator/dispatcher/config"
	"github.com/dropship-operator/dropship-operator/dispatcher/order"
	"github.com/dropship-operator/dropship-operator/dispatcher/supplier"
)

// AdapterOptions tune the adapter for a supplier that runs its own K3Cloud.
type AdapterOptions struct {
	// IdempotencyField is the header field of their sales order that carries our
	// idempotency key; default FBillNo (the key becomes their bill number, which their
	// ERP also keeps unique). A custom text field (F_…) works too.
	IdempotencyField string
	// SKUMap maps our SKU to their material number; unmapped SKUs are sent as they are.
	SKUMap map[string]string
	// Location is their ERP's time zone; default Asia/Shanghai.
	Location *time.Location
	// Now is the clock; default time.Now.
	Now func() time.Time
	// ClientOptions are used by NewAdapterFromConfig.
	ClientOptions Options
}

// Adapter delivers our orders as sales orders (SAL_SaleOrder) into a supplier's own
// K3Cloud and reads their shipment back by query. It implements supplier.Adapter and
// supplier.ShipmentPoller.
type Adapter struct {
	c    *Client
	ep   config.K3CloudEndpoint
	opts AdapterOptions
}

var (
	_ supplier.Adapter        = (*Adapter)(nil)
	_ supplier.ShipmentPoller = (*Adapter)(nil)
)

// NewAdapterFromConfig builds the adapter and its client from the supplier's endpoint,
// reading the credentials from the mounted directory.
func NewAdapterFromConfig(ep config.K3CloudEndpoint, opts AdapterOptions) (*Adapter, error) {
	c, err := New(ep.K3CloudConnection, opts.ClientOptions)
	if err != nil {
		return nil, err
	}
	return NewAdapter(c, ep, opts)
}

// NewAdapter builds the adapter on an existing client.
func NewAdapter(c *Client, ep config.K3CloudEndpoint, opts AdapterOptions) (*Adapter, error) {
	if ep.BillTypeNumber == "" {
		ep.BillTypeNumber = config.DefaultSOBillType
	}
	if opts.IdempotencyField == "" {
		opts.IdempotencyField = "FBillNo"
	}
	if ep.CustomerNumber == "" || ep.SaleOrgNumber == "" {
		return nil, fmt.Errorf("cannot create K3Cloud supplier adapter for %q: customerNumber and saleOrgNumber are required", ep.URL)
	}
	for _, f := range []string{opts.IdempotencyField, ep.TrackingNumberField, ep.CarrierField} {
		if f != "" && (!ValidFieldKey(f) || strings.Contains(f, ".")) {
			return nil, fmt.Errorf("cannot create K3Cloud supplier adapter for %q: %q is not a header field key", ep.URL, f)
		}
	}
	if opts.Location == nil {
		opts.Location = chinaZone()
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &Adapter{c: c, ep: ep, opts: opts}, nil
}

const supplierForm = "SAL_SaleOrder"

// lookup finds their sales order carrying our idempotency key.
func (a *Adapter) lookup(ctx context.Context, key string) (string, error) {
	rows, err := a.c.ExecuteBillQuery(ctx, Query{
		FormID: supplierForm, FieldKeys: []string{"FBillNo"},
		Filter: And(Eq(a.opts.IdempotencyField, key), Eq("FCancelStatus", "A")), Limit: 1,
	})
	if err != nil {
		return "", err
	}
	if len(rows) == 0 {
		return "", nil
	}
	return rows[0].String(0), nil
}

// Submit saves the order as a sales order in the supplier's K3Cloud. It first looks for a
// sales order carrying the idempotency key, so a retry never creates a second one; a
// duplicate-number refusal (another replica won the race) is answered the same way.
func (a *Adapter) Submit(ctx context.Context, req supplier.Request) (supplier.Result, error) {
	if req.Order == nil || len(req.Lines) == 0 || req.IdempotencyKey == "" {
		return supplier.Result{}, &supplier.Error{Kind: supplier.Rejected, Message: "request has no order, lines or idempotency key"}
	}
	no, err := a.lookup(ctx, req.IdempotencyKey)
	if err != nil {
		return supplier.Result{}, classify(err)
	}
	if no != "" {
		return supplier.Result{SupplierOrderID: no, Response: "existing sales order " + no}, nil
	}
	o := req.Order
	day := a.opts.Now().In(a.opts.Location).Format("2006-01-02")
	var entries []any
	for _, i := range req.Lines {
		if i < 0 || i >= len(o.Lines) {
			return supplier.Result{}, &supplier.Error{Kind: supplier.Rejected, Message: fmt.Sprintf("line index %d out of range", i)}
		}
		l := o.Lines[i]
		sku := l.SKU
		if m, ok := a.opts.SKUMap[sku]; ok && m != "" {
			sku = m
		}
		e := map[string]any{
			"FMaterialId":   map[string]any{"FNumber": sku},
			"FQty":          l.Quantity,
			"FDeliveryDate": day,
			"FEntryNote":    fmt.Sprintf("%s %s/%s", o.Source, o.BillNo, l.EntryID),
		}
		if l.UnitPrice > 0 {
			e["FTaxPrice"] = l.UnitPrice
		}
		entries = append(entries, e)
	}
	model := map[string]any{
		"FBillTypeID":     map[string]any{"FNumber": a.ep.BillTypeNumber},
		"FDate":           day,
		"FSaleOrgId":      map[string]any{"FNumber": a.ep.SaleOrgNumber},
		"FCustId":         map[string]any{"FNumber": a.ep.CustomerNumber},
		"FReceiveAddress": o.ShipTo.Address,
		"FLinkMan":        o.ShipTo.Name,
		"FLinkPhone":      o.ShipTo.Phone,
		"FNote":           "一件代发 " + o.BillNo,
		"FSaleOrderEntry": entries,
	}
	model[a.opts.IdempotencyField] = req.IdempotencyKey
	res, err := a.c.Save(ctx, supplierForm, model, SaveOptions{NeedReturnFields: []string{"FBillNo"}})
	if err != nil {
		var ke *Error
		if errors.As(err, &ke) && errors.Is(err, ErrValidation) && len(ke.Errors) > 0 && strings.EqualFold(ke.Errors[0].FieldName, a.opts.IdempotencyField) {
			if no, lerr := a.lookup(ctx, req.IdempotencyKey); lerr == nil && no != "" {
				return supplier.Result{SupplierOrderID: no, Response: "existing sales order " + no}, nil
			}
		}
		// A temporary failure leaves the outcome unknown: the next attempt looks the key up
		// before saving, so it never creates a second sales order.
		return supplier.Result{}, classify(err)
	}
	return supplier.Result{SupplierOrderID: res.Number, Response: fmt.Sprintf("sales order %s (FID %d)", res.Number, res.ID)}, nil
}

// PollShipment reads the tracking field of their sales order; nil while it is empty.
func (a *Adapter) PollShipment(ctx context.Context, supplierOrderID, idempotencyKey string) (*order.Shipment, error) {
	if a.ep.TrackingNumberField == "" {
		return nil, fmt.Errorf("cannot poll shipment of %q: the endpoint names no trackingNumberField", supplierOrderID)
	}
	keys := []string{"FBillNo", a.ep.TrackingNumberField}
	if a.ep.CarrierField != "" {
		keys = append(keys, a.ep.CarrierField)
	}
	f := Eq("FBillNo", supplierOrderID)
	if supplierOrderID == "" {
		f = Eq(a.opts.IdempotencyField, idempotencyKey)
	}
	rows, err := a.c.ExecuteBillQuery(ctx, Query{FormID: supplierForm, FieldKeys: keys, Filter: f, Limit: 1})
	if err != nil {
		return nil, fmt.Errorf("cannot poll shipment of %q: %w", supplierOrderID, classify(err))
	}
	if len(rows) == 0 {
		return nil, fmt.Errorf("cannot poll shipment of %q: %w", supplierOrderID,
			&supplier.Error{Kind: supplier.Rejected, Message: "the sales order is not in the supplier's ERP"})
	}
	tn := strings.TrimSpace(rows[0].String(1))
	if tn == "" {
		return nil, nil
	}
	return &order.Shipment{TrackingNo: tn, Carrier: strings.TrimSpace(rows[0].String(2))}, nil
}

// classify turns a client error into a supplier.Error delivery understands.
func classify(err error) error {
	var ke *Error
	if !errors.As(err, &ke) {
		return &supplier.Error{Kind: supplier.Transient, Message: "cannot reach the supplier's K3Cloud", Err: err}
	}
	switch {
	case errors.Is(err, ErrCallLimit):
		return &supplier.Error{Kind: supplier.Throttled, RetryAfter: time.Minute, Message: ke.Message, Err: err}
	case Temporary(err):
		return &supplier.Error{Kind: supplier.Transient, StatusCode: ke.HTTPStatus, Message: ke.Message, Err: err}
	case errors.Is(err, ErrLogin), errors.Is(err, ErrNoPermission):
		return &supplier.Error{Kind: supplier.Transient, Message: "the supplier's K3Cloud refused our credentials", Err: err}
	}
	return &supplier.Error{Kind: supplier.Rejected, Message: ke.Message, Err: err}
}
