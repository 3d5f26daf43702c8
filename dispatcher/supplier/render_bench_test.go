package supplier

import (
	"testing"
)

// BenchmarkRender is the cost of one request body: the default payload, and a template
// using the function set.
//
//	go test -run='^$' -bench=BenchmarkRender ./dispatcher/supplier/
func BenchmarkRender(b *testing.B) {
	tmpl := `{"bill":{{json .Order.BillNo}},"to":{{json .Order.ShipTo.Name}},"phone":{{json .Order.ShipTo.Phone}},
		"addr":{{json (join " " (list .Order.ShipTo.Province .Order.ShipTo.City .Order.ShipTo.Address))}},
		"items":[{{range $i, $l := .Lines}}{{if $i}},{{end}}{"sku":{{json $l.SupplierSKU}},"qty":{{$l.Quantity}},"price":{{$l.SupplierPrice}}}{{end}}],
		"day":{{json (date "2006-01-02" .Order.ApprovedAt)}},"key":{{json .IdempotencyKey}},"callback":{{json .CallbackURL}}}`
	for name, text := range map[string]string{"default": "", "template": tmpl} {
		b.Run(name, func(b *testing.B) {
			r, err := newRenderer("b", text, testCatalog, "")
			if err != nil {
				b.Fatal(err)
			}
			req := Request{Order: testOrder(), IdempotencyKey: "dso-1", CallbackURL: "http://cb/v1/suppliers/b/shipments"}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := r.Render(req); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkAcceptedWhen is one CEL evaluation over a decoded answer.
func BenchmarkAcceptedWhen(b *testing.B) {
	e, err := compileBool(`code == 0 && data.orderId != ""`)
	if err != nil {
		b.Fatal(err)
	}
	body, _ := decodeJSON([]byte(`{"code":0,"message":"accepted","orderId":"S-1","data":{"orderId":"S-1"}}`))
	b.ReportAllocs()
	for b.Loop() {
		if ok, err := e.Eval(body); !ok || err != nil {
			b.Fatal(ok, err)
		}
	}
}
