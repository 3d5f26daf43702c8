package supplier

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/dropship-operator/dropship-operator/dispatcher/config"
	"github.com/dropship-operator/dropship-operator/dispatcher/order"
)

func testOrder() *order.Order {
	return &order.Order{
		Source: "erp", BillNo: "XSDD001", BillID: "100234", Currency: "CNY", Note: `say "hi"`,
		ShipTo: order.ShipTo{Name: "李四", Phone: "13900001111", Province: "浙江省", City: "杭州市", Address: "文三路1号"},
		Lines: []order.Line{
			{EntryID: "1", SKU: "A-1", Name: "杯子", Quantity: 2, UnitPrice: 10},
			{EntryID: "2", SKU: "B-2", Name: "毛巾", Quantity: 3, UnitPrice: 5},
		},
		ApprovedAt: time.Date(2026, 11, 20, 16, 30, 0, 0, time.UTC),
	}
}

var testCatalog = config.Catalog{SKUs: []config.CatalogItem{{SKU: "A-1", SupplierSKU: "SUP-A1", Price: 8}}}

func TestRender(t *testing.T) {
	cases := map[string]struct {
		reason   string
		template string
		lines    []int
		want     string // compared as decoded JSON
		wantErr  string // substring of the Rejected error's message
	}{
		"default payload": {
			reason: "an empty template sends DefaultPayload with only the selected lines",
			lines:  []int{1},
			want: `{"idempotencyKey":"K","callbackUrl":"http://cb/","order":{"source":"erp","billNo":"XSDD001","billID":"100234","currency":"CNY","note":"say \"hi\"",
				"shipTo":{"name":"李四","phone":"13900001111","province":"浙江省","city":"杭州市","address":"文三路1号"},
				"lines":[{"entryID":"2","sku":"B-2","name":"毛巾","quantity":3,"unitPrice":5}],"approvedAt":"2026-11-20T16:30:00Z"},
				"items":[{"entryID":"2","sku":"B-2","supplierSku":"B-2","name":"毛巾","quantity":3,"price":5}]}`,
		},
		"function set": {
			reason: "json quotes, default, upper/lower, join, supplierSKU and date in the supplier's zone",
			template: `{"no":{{json .Order.BillNo}},"note":{{json .Order.Note}},"cust":{{json (default "walk-in" .Order.Customer)}},
				"cur":{{json (lower .Order.Currency)}},"prov":{{json (upper "gd")}},"addr":{{json (join " " (list .Order.ShipTo.Province .Order.ShipTo.City .Order.ShipTo.Address))}},
				"sku":{{json (supplierSKU "A-1")}},"day":{{json (date "2006-01-02 15:04" .Order.ApprovedAt)}},"ts":{{unix .Order.ApprovedAt}},
				"items":[{{range $i, $l := .Lines}}{{if $i}},{{end}}{"sku":{{json $l.SupplierSKU}},"qty":{{$l.Quantity}},"price":{{$l.SupplierPrice}}}{{end}}],
				"total":{{.Total}},"key":{{json .IdempotencyKey}}}`,
			want: `{"no":"XSDD001","note":"say \"hi\"","cust":"walk-in","cur":"cny","prov":"GD","addr":"浙江省 杭州市 文三路1号","sku":"SUP-A1",
				"day":"2026-11-21 00:30","ts":1795192200,"items":[{"sku":"SUP-A1","qty":2,"price":8},{"sku":"B-2","qty":3,"price":5}],"total":31,"key":"K"}`,
		},
		"unquoted string makes invalid JSON": {
			reason:   "a template that forgets json quoting is refused with the offset, not sent",
			template: `{"note":"{{.Order.Note}}"}`,
			wantErr:  "rendered invalid JSON",
		},
		"template execution failure": {
			reason:   "calling a field that does not exist is a Rejected error",
			template: `{"x":{{.Order.Nope}}}`,
			wantErr:  "request template failed",
		},
		"line out of range": {
			reason:  "a request naming a line the order lacks is refused",
			lines:   []int{5},
			wantErr: "out of range",
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			r, err := newRenderer("s", tc.template, testCatalog, "Asia/Shanghai")
			if err != nil {
				t.Fatalf("newRenderer: %v", err)
			}
			lines := tc.lines
			if lines == nil && tc.template != "" {
				lines = []int{0, 1}
			}
			b, err := r.Render(Request{Order: testOrder(), Lines: lines, IdempotencyKey: "K", CallbackURL: "http://cb/"})
			if tc.wantErr != "" {
				var se *Error
				if !errors.As(err, &se) || se.Kind != Rejected || !strings.Contains(se.Error(), tc.wantErr) {
					t.Fatalf("%s: err = %v, want Rejected containing %q", tc.reason, err, tc.wantErr)
				}
				if strings.Contains(se.Error(), "13900001111") || strings.Contains(se.Error(), "say") {
					t.Errorf("error %q quotes order data", se.Error())
				}
				return
			}
			if err != nil {
				t.Fatalf("%s: Render: %v", tc.reason, err)
			}
			var got, want any
			if err := json.Unmarshal(b, &got); err != nil {
				t.Fatalf("rendered invalid JSON %s: %v", b, err)
			}
			if err := json.Unmarshal([]byte(tc.want), &want); err != nil {
				t.Fatalf("bad want: %v", err)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("%s: body mismatch (-want +got):\n%s", tc.reason, diff)
			}
		})
	}
}

func TestNewRendererRefusesBadTemplate(t *testing.T) {
	if _, err := newRenderer("s", `{"x":{{.Order.BillNo}`, config.Catalog{}, ""); err == nil {
		t.Fatal("newRenderer accepted an unterminated action")
	}
	if _, err := newRenderer("s", `{"x":1}`, config.Catalog{}, "Mars/Olympus"); err == nil {
		t.Fatal("newRenderer accepted an unknown time zone")
	}
}

func TestRenderTooLarge(t *testing.T) {
	r, err := newRenderer("s", `[{{range .Lines}}{{printf "%0999999d" 1}},{{printf "%0999999d" 1}},{{end}}0]`, config.Catalog{}, "")
	if err != nil {
		t.Fatal(err)
	}
	_, err = r.Render(Request{Order: testOrder()})
	if KindOf(err) != Rejected || !errors.Is(err, errBodyTooLarge) {
		t.Fatalf("err = %v, want Rejected wrapping errBodyTooLarge", err)
	}
}

func TestNewHTTPRefusesTemplateBrokenForEveryOrder(t *testing.T) {
	cases := map[string]struct {
		template string
		wantErr  bool
	}{
		"good":                    {template: `{"bill":{{json .Order.BillNo}},"n":{{len .Lines}}}`},
		"missing comma":           {template: `{"bill":{{json .Order.BillNo}} "n":1}`, wantErr: true},
		"unquoted string":         {template: `{"bill":{{.Order.BillNo}}}`, wantErr: true},
		"second line required":    {template: `{"sku":{{json (index .Lines 1).SKU}}}`, wantErr: true},
		"data-dependent but fine": {template: `{"vip":{{if eq .Order.Customer "VIP"}}true{{else}}false{{end}}}`},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := NewHTTP(config.Supplier{Name: "s", HTTP: &config.HTTPEndpoint{URL: "http://127.0.0.1:1/o",
				Request: config.HTTPRequest{Template: tc.template}}}, HTTPOptions{})
			if (err != nil) != tc.wantErr {
				t.Errorf("NewHTTP: err = %v, wantErr %v", err, tc.wantErr)
			}
		})
	}
}

func TestNewHTTPReadsSKUMapFile(t *testing.T) {
	file := filepath.Join(t.TempDir(), "skus.csv")
	if err := os.WriteFile(file, []byte("sku,supplierSku,price\nB-2,FILE-B2,4.5\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	a, err := NewHTTP(config.Supplier{Name: "s", Catalog: config.Catalog{SKUs: testCatalog.SKUs, SKUMapFile: file},
		HTTP: &config.HTTPEndpoint{URL: "http://127.0.0.1:1/o"}}, HTTPOptions{})
	if err != nil {
		t.Fatal(err)
	}
	b, err := a.render.Render(Request{Order: testOrder()})
	if err != nil {
		t.Fatal(err)
	}
	var p DefaultPayload
	if err := json.Unmarshal(b, &p); err != nil {
		t.Fatal(err)
	}
	got := map[string]float64{}
	for _, it := range p.Items {
		got[it.SupplierSKU] = it.Price
	}
	if diff := cmp.Diff(map[string]float64{"SUP-A1": 8, "FILE-B2": 4.5}, got); diff != "" {
		t.Errorf("supplier SKUs and prices (-want +got):\n%s", diff)
	}
	if _, err := NewHTTP(config.Supplier{Name: "s", Catalog: config.Catalog{SKUMapFile: file + ".missing"},
		HTTP: &config.HTTPEndpoint{URL: "http://127.0.0.1:1/o"}}, HTTPOptions{}); err == nil {
		t.Error("NewHTTP accepted a missing SKU map file")
	}
}
