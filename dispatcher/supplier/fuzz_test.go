package supplier

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/dropship-operator/dropship-operator/dispatcher/config"
	"github.com/dropship-operator/dropship-operator/dispatcher/order"
)

// FuzzRender renders arbitrary order strings through a careful template (json quoting),
// a careless one (raw interpolation) and the default payload: never a panic, and either
// valid JSON or a Rejected *Error.
func FuzzRender(f *testing.F) {
	f.Add("XSDD001", "张三", "科技园南路18号", `say "hi"`, "A-1", 2.0)
	f.Add("", "", "", "\\", "\x00", -1.0)
	f.Add("{{", "}}", "\xff\xfe", "</script>", "A-1", 1e308)
	cat := config.Catalog{SKUs: []config.CatalogItem{{SKU: "A-1", SupplierSKU: "S\"1", Price: 3}}}
	careful, err := newRenderer("careful", `{"bill":{{json .Order.BillNo}},"to":{{json (default "?" .Order.ShipTo.Name)}},
		"addr":{{json (join " " (list (upper .Order.ShipTo.Address) (lower .Order.Note)))}},
		"items":[{{range $i, $l := .Lines}}{{if $i}},{{end}}{"sku":{{json (supplierSKU $l.SKU)}},"qty":{{json $l.Quantity}}}{{end}}]}`, cat, "")
	if err != nil {
		f.Fatal(err)
	}
	careless, err := newRenderer("careless", `{"bill":"{{.Order.BillNo}}","note":"{{.Order.Note}}","qty":{{(index .Lines 0).Quantity}}}`, cat, "")
	if err != nil {
		f.Fatal(err)
	}
	plain, err := newRenderer("plain", "", cat, "")
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, billNo, name, address, note, sku string, qty float64) {
		o := &order.Order{Source: "f", BillNo: billNo, Note: note, ShipTo: order.ShipTo{Name: name, Address: address},
			Lines: []order.Line{{EntryID: "1", SKU: sku, Quantity: qty}}}
		for _, r := range []*renderer{careful, careless, plain} {
			b, err := r.Render(Request{Order: o, IdempotencyKey: billNo})
			if err != nil {
				var se *Error
				if !errors.As(err, &se) || se.Kind != Rejected {
					t.Fatalf("%s: err = %v, want a Rejected *Error", r.supplier, err)
				}
				continue
			}
			if !json.Valid(b) {
				t.Fatalf("%s: rendered invalid JSON without an error: %q", r.supplier, b)
			}
		}
	})
}

// FuzzAnswer feeds arbitrary supplier answers and paths through decoding, path lookup and
// acceptedWhen: an answer is untrusted input and must never panic the dispatcher.
func FuzzAnswer(f *testing.F) {
	f.Add([]byte(`{"code":0,"data":{"orderId":"S-1","items":[{"id":1}]}}`), "data.items[0].id")
	f.Add([]byte(`[1,2,{"a":null}]`), "2.a")
	f.Add([]byte(`{"code":1e999}`), "code")
	f.Add([]byte(`"just a string"`), "")
	accepted, err := compileBool(`code == 0 && data.orderId != "" && size(data.items) > 0`)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, body []byte, path string) {
		v, err := decodeJSON(body)
		if err != nil {
			return
		}
		_ = stringAt(v, path)
		if _, err := accepted.Eval(v); err != nil && !strings.Contains(err.Error(), "cannot") {
			t.Fatalf("Eval error without context: %v", err)
		}
	})
}
