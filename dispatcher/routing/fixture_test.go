package routing

import (
	"fmt"
	"testing"
	"time"

	"github.com/dropship-operator/dropship-operator/dispatcher/config"
	"github.com/dropship-operator/dropship-operator/dispatcher/health"
	"github.com/dropship-operator/dropship-operator/dispatcher/order"
)

var now = time.Date(2026, 11, 24, 2, 0, 0, 0, time.UTC)

func stock(n int64) *int64 { return &n }

func ptr[T any](v T) *T { return &v }

// sup builds a supplier serving the given regions with an optional catalog.
func sup(name string, regions []string, items ...config.CatalogItem) config.Supplier {
	return config.Supplier{Name: name, Regions: regions, Catalog: config.Catalog{SKUs: items},
		HTTP: &config.HTTPEndpoint{URL: "http://127.0.0.1:1/" + name}}
}

func tier(ws ...any) config.Tier {
	var t config.Tier
	for i := 0; i < len(ws); i += 2 {
		t.Suppliers = append(t.Suppliers, config.WeightedSupplier{Name: ws[i].(string), Weight: int32(ws[i+1].(int))})
	}
	return t
}

func policy(split config.Split, sups []config.Supplier, rules ...config.Rule) *config.DispatcherConfig {
	return &config.DispatcherConfig{
		Policy: config.PolicyRef{Namespace: "shop", Name: "main"}, Split: split,
		Suppliers: sups, Rules: rules,
		Adaptive: config.Adaptive{Enabled: true, MaxEjectionPercent: 50},
	}
}

func compile(t testing.TB, cfg *config.DispatcherConfig) *Engine {
	t.Helper()
	e, err := Compile(cfg)
	if err != nil {
		t.Fatalf("Compile: %v", err)
	}
	return e
}

func ord(bill, province string, lines ...order.Line) *order.Order {
	return &order.Order{Source: "kingdee-main", BillNo: bill, Currency: "CNY",
		ShipTo: order.ShipTo{Name: "张三", Phone: "13812345678", Province: province, City: "深圳市", Address: "南山区科技园路1号"},
		Lines:  lines}
}

func line(id, sku string, qty float64) order.Line {
	return order.Line{EntryID: id, SKU: sku, Quantity: qty, UnitPrice: 10}
}

// manyLines returns n single-line orders with distinct bill numbers.
func manyLines(n int, province, sku string) []*order.Order {
	out := make([]*order.Order, n)
	for i := range out {
		out[i] = ord(fmt.Sprintf("SO%07d", i), province, line("1", sku, 1))
	}
	return out
}

func snap(name string, mut func(*health.Snapshot)) health.Snapshot {
	s := health.Snapshot{Supplier: name, State: health.StateActive, HealthFactor: 1, Circuit: health.CircuitClosed}
	if mut != nil {
		mut(&s)
	}
	return s
}
