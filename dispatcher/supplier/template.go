package supplier

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"text/template"
	"time"

	"github.com/dropship-operator/dropship-operator/dispatcher/config"
	"github.com/dropship-operator/dropship-operator/dispatcher/order"
)

// MaxBodyBytes caps a rendered request body; a template that renders more is refused.
const MaxBodyBytes = 1 << 20

// TemplateData is what a request template sees as its dot.
type TemplateData struct {
	// Order is the canonical order, all lines included.
	Order *order.Order
	// Lines are the lines this supplier is to ship, with the catalog mapping applied.
	Lines []TemplateLine
	// IdempotencyKey is also sent as the Idempotency-Key header.
	IdempotencyKey string
	// CallbackURL is where the supplier posts shipment news.
	CallbackURL string
	// Supplier is the Supplier resource's name.
	Supplier string
	// Total is the sum of SupplierPrice × Quantity over Lines.
	Total float64
}

// TemplateLine is one selected line with the supplier's SKU and price.
type TemplateLine struct {
	order.Line
	// Index is the line's position in Order.Lines.
	Index int
	// SupplierSKU is the supplier's SKU (the catalog mapping), our SKU when unmapped.
	SupplierSKU string
	// SupplierPrice is the catalog price, the line's unit price when the catalog has none.
	SupplierPrice float64
}

// DefaultPayload is the request body sent when the supplier has no template. Its shape is
// documented in docs/supplier-http.md and is what the simulator in suppliertest reads.
type DefaultPayload struct {
	IdempotencyKey string `json:"idempotencyKey"`
	CallbackURL    string `json:"callbackUrl,omitempty"`
	// Order is the canonical order holding only the selected lines.
	Order order.Order `json:"order"`
	// Items are the selected lines in the supplier's terms.
	Items []PayloadItem `json:"items"`
}

// PayloadItem is one line of DefaultPayload.
type PayloadItem struct {
	EntryID     string  `json:"entryID"`
	SKU         string  `json:"sku"`
	SupplierSKU string  `json:"supplierSku"`
	Name        string  `json:"name,omitempty"`
	Quantity    float64 `json:"quantity"`
	Price       float64 `json:"price,omitempty"`
}

// catalogIndex maps our SKU to the supplier's catalog item.
type catalogIndex map[string]config.CatalogItem

func newCatalogIndex(c config.Catalog) catalogIndex {
	idx := make(catalogIndex, len(c.SKUs))
	for _, it := range c.SKUs {
		idx[it.SKU] = it
	}
	return idx
}

func (c catalogIndex) supplierSKU(sku string) string {
	if it, ok := c[sku]; ok && it.SupplierSKU != "" {
		return it.SupplierSKU
	}
	return sku
}

// renderer turns a Request into a JSON body.
type renderer struct {
	supplier string
	tmpl     *template.Template // nil: DefaultPayload
	catalog  catalogIndex
}

// templateFuncs is the documented function set (docs/supplier-http.md).
func templateFuncs(cat catalogIndex, loc *time.Location) template.FuncMap {
	return template.FuncMap{
		"json": func(v any) (string, error) {
			b, err := json.Marshal(v)
			if err != nil {
				return "", fmt.Errorf("cannot encode value as JSON: %w", err)
			}
			return string(b), nil
		},
		"default": func(def, v any) any {
			if isEmpty(v) {
				return def
			}
			return v
		},
		"upper": strings.ToUpper,
		"lower": strings.ToLower,
		"trim":  strings.TrimSpace,
		"join": func(sep string, items []string) string {
			return strings.Join(items, sep)
		},
		"list":        func(items ...string) []string { return items },
		"supplierSKU": cat.supplierSKU,
		"date": func(layout string, t time.Time) string {
			if t.IsZero() {
				return ""
			}
			return t.In(loc).Format(layout)
		},
		"unix": func(t time.Time) int64 {
			if t.IsZero() {
				return 0
			}
			return t.Unix()
		},
	}
}

func isEmpty(v any) bool {
	switch x := v.(type) {
	case nil:
		return true
	case string:
		return x == ""
	case int:
		return x == 0
	case int64:
		return x == 0
	case float64:
		return x == 0
	case bool:
		return !x
	case time.Time:
		return x.IsZero()
	case []string:
		return len(x) == 0
	}
	return false
}

// newRenderer parses the template once. timezone is the IANA zone `date` formats in.
func newRenderer(name, text string, cat config.Catalog, timezone string) (*renderer, error) {
	r := &renderer{supplier: name, catalog: newCatalogIndex(cat)}
	if strings.TrimSpace(text) == "" {
		return r, nil
	}
	if timezone == "" {
		timezone = config.DefaultTimezone
	}
	loc, err := time.LoadLocation(timezone)
	if err != nil {
		return nil, fmt.Errorf("cannot load time zone %q: %w", timezone, err)
	}
	r.tmpl, err = r.tmplFor(text, templateFuncs(r.catalog, loc))
	if err != nil {
		return nil, err
	}
	return r, nil
}

func (r *renderer) tmplFor(text string, funcs template.FuncMap) (*template.Template, error) {
	t, err := template.New(r.supplier).Option("missingkey=error").Funcs(funcs).Parse(text)
	if err != nil {
		return nil, fmt.Errorf("cannot parse request template of supplier %q: %w", r.supplier, err)
	}
	return t, nil
}

// data builds the template's dot; it fails when a line index is out of range.
func (r *renderer) data(req Request) (*TemplateData, error) {
	if req.Order == nil {
		return nil, &Error{Kind: Rejected, Message: "request has no order"}
	}
	d := &TemplateData{Order: req.Order, IdempotencyKey: req.IdempotencyKey, CallbackURL: req.CallbackURL, Supplier: r.supplier}
	lines := req.Lines
	if len(lines) == 0 { // WholeOrder: every line
		lines = make([]int, len(req.Order.Lines))
		for i := range lines {
			lines[i] = i
		}
	}
	for _, i := range lines {
		if i < 0 || i >= len(req.Order.Lines) {
			return nil, &Error{Kind: Rejected, Message: fmt.Sprintf("line index %d out of range (order has %d lines)", i, len(req.Order.Lines))}
		}
		l := req.Order.Lines[i]
		tl := TemplateLine{Line: l, Index: i, SupplierSKU: r.catalog.supplierSKU(l.SKU), SupplierPrice: l.UnitPrice}
		if it, ok := r.catalog[l.SKU]; ok && it.Price != 0 {
			tl.SupplierPrice = it.Price
		}
		d.Total += tl.SupplierPrice * l.Quantity
		d.Lines = append(d.Lines, tl)
	}
	return d, nil
}

// Render produces the JSON body for req. A template that fails, or renders something that
// is not valid JSON, gives a Rejected *Error naming the problem (never the order's data).
func (r *renderer) Render(req Request) ([]byte, error) {
	d, err := r.data(req)
	if err != nil {
		return nil, err
	}
	if r.tmpl == nil {
		return r.defaultPayload(d)
	}
	var buf bytes.Buffer
	if err := r.tmpl.Execute(&limitedWriter{w: &buf, n: MaxBodyBytes}, d); err != nil {
		return nil, &Error{Kind: Rejected, Message: "request template failed", Err: fmt.Errorf("cannot render request template of supplier %q: %w", r.supplier, err)}
	}
	b := buf.Bytes()
	if !json.Valid(b) {
		return nil, &Error{Kind: Rejected, Message: "request template rendered invalid JSON: " + jsonProblem(b)}
	}
	return b, nil
}

func (r *renderer) defaultPayload(d *TemplateData) ([]byte, error) {
	p := DefaultPayload{IdempotencyKey: d.IdempotencyKey, CallbackURL: d.CallbackURL, Order: *d.Order}
	p.Order.Lines = make([]order.Line, 0, len(d.Lines))
	p.Items = make([]PayloadItem, 0, len(d.Lines))
	for _, l := range d.Lines {
		p.Order.Lines = append(p.Order.Lines, l.Line)
		p.Items = append(p.Items, PayloadItem{EntryID: l.EntryID, SKU: l.SKU, SupplierSKU: l.SupplierSKU, Name: l.Name, Quantity: l.Quantity, Price: l.SupplierPrice})
	}
	b, err := json.Marshal(p)
	if err != nil { // only NaN or Inf quantities and prices get here
		return nil, &Error{Kind: Rejected, Message: "cannot encode the default payload", Err: err}
	}
	return b, nil
}

// jsonProblem describes why b is not JSON by offset, without quoting b (it holds PII).
func jsonProblem(b []byte) string {
	var v any
	err := json.Unmarshal(b, &v)
	var se *json.SyntaxError
	switch {
	case err == nil:
		return "unknown problem"
	case errors.As(err, &se):
		return fmt.Sprintf("%s at byte %d of %d", se.Error(), se.Offset, len(b))
	}
	return err.Error()
}

// errBodyTooLarge stops a template that renders more than MaxBodyBytes.
var errBodyTooLarge = fmt.Errorf("rendered body is larger than %d bytes", MaxBodyBytes)

type limitedWriter struct {
	w *bytes.Buffer
	n int
}

func (l *limitedWriter) Write(p []byte) (int, error) {
	if l.w.Len()+len(p) > l.n {
		return 0, errBodyTooLarge
	}
	return l.w.Write(p)
}
