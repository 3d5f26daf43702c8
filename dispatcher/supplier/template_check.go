package supplier

import (
	"fmt"
	"time"

	"github.com/dropship-operator/dropship-operator/dispatcher/config"
	"github.com/dropship-operator/dropship-operator/dispatcher/order"
)

// sampleRequest is an ordinary order every template must render to JSON; NewHTTP renders
// it so a template broken for every order fails at start instead of rejecting (and so
// rerouting away) every order.
func sampleRequest(cat config.Catalog) Request {
	sku := "SAMPLE-1"
	if len(cat.SKUs) > 0 {
		sku = cat.SKUs[0].SKU
	}
	t := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	return Request{
		Order: &order.Order{
			Source: "sample", BillNo: "XSDD000001", BillID: "100001", Customer: "CUST0001", Currency: "CNY", Note: "note",
			ShipTo: order.ShipTo{Name: "Name", Phone: "13800000000", Province: "Province", City: "City", District: "District", Address: "Address 1", PostalCode: "518000"},
			Lines: []order.Line{
				{EntryID: "1", SKU: sku, Name: "Item one", Quantity: 2, UnitPrice: 10.5, Note: "n"},
				{EntryID: "2", SKU: "SAMPLE-2", Name: "Item two", Quantity: 1, UnitPrice: 3},
			},
			CreatedAt: t, ApprovedAt: t,
		},
		IdempotencyKey: "dso-sample", CallbackURL: "https://dispatcher.example/v1/suppliers/sample/shipments",
	}
}

// check renders the sample request once with one line and once with both.
func (r *renderer) check(cat config.Catalog) error {
	req := sampleRequest(cat)
	for _, lines := range [][]int{{0}, nil} {
		req.Lines = lines
		if _, err := r.Render(req); err != nil {
			return fmt.Errorf("cannot use request template of supplier %q: a sample order fails: %w", r.supplier, err)
		}
	}
	return nil
}
