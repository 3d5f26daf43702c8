package routing

import (
	"encoding/json"
	"math"
	"testing"

	"github.com/dropship-operator/dropship-operator/dispatcher/config"
	"github.com/dropship-operator/dropship-operator/dispatcher/order"
)

func TestNormProvince(t *testing.T) {
	cases := map[string]string{
		"广东省": "广东", "广东": "广东", " 广东省 ": "广东", "北京市": "北京", "广西壮族自治区": "广西",
		"内蒙古自治区": "内蒙古", "新疆维吾尔自治区": "新疆", "宁夏回族自治区": "宁夏", "香港特别行政区": "香港",
		"省": "省", "*": "*",
	}
	for in, want := range cases {
		if got := normProvince(in); got != want {
			t.Errorf("normProvince(%q) = %q, want %q", in, got, want)
		}
	}
}

// FuzzDecide: any order gives exactly one of a supplier or an unroutable reason, and an
// explain that encodes to JSON.
func FuzzDecide(f *testing.F) {
	sups := []config.Supplier{
		sup("a", []string{"广东省"}, config.CatalogItem{SKU: "SKU-1", Price: 3, Stock: stock(5)}),
		sup("b", []string{"*"}), sup("c", []string{"浙江省"}),
	}
	cfg := policy(config.SplitByLine, sups,
		config.Rule{Name: "cel", Match: config.Match{Expression: `line.quantity > 2.5 && line.sku.startsWith("S")`}, Strategy: config.StrategyCheapest,
			Tiers: []config.Tier{tier("a", 1), tier("c", 1)}},
		config.Rule{Name: "south", Match: config.Match{Regions: []string{"广东"}, SKUPrefixes: []string{"SKU"}}, Tiers: []config.Tier{tier("a", 3, "b", 1)}},
		config.Rule{Name: "rest", Strategy: config.StrategyFastest, Tiers: []config.Tier{tier("c", 1)}})
	e := compile(f, cfg)
	f.Add("SO1", "1", "SKU-1", "广东省", 3.0, 0)
	f.Add("", "", "", "", -1.0, 7)
	f.Add("SO/2", "%", "S", "浙江", 1e300, 0)
	f.Add("SO3", "1", "SKU-1", "广东", math.Inf(1), 0)
	f.Add("SO4", "1", "SKU-1", "广东", math.NaN(), 0)
	f.Fuzz(func(t *testing.T, bill, entry, sku, province string, qty float64, idx int) {
		o := &order.Order{Source: "s", BillNo: bill, ShipTo: order.ShipTo{Province: province},
			Lines: []order.Line{{EntryID: entry, SKU: sku, Quantity: qty}}}
		d := e.Decide(Input{Order: o, Line: idx, Now: now})
		if d.Routed == (d.Unroutable != "") || d.Routed != (d.Supplier != "") {
			t.Fatalf("routed %v supplier %q unroutable %q", d.Routed, d.Supplier, d.Unroutable)
		}
		if _, err := json.Marshal(d); err != nil {
			t.Fatalf("explain does not encode: %v", err)
		}
	})
}
