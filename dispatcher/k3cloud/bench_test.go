package k3cloud_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/dropship-operator/dropship-operator/dispatcher/config"
	"github.com/dropship-operator/dropship-operator/dispatcher/k3cloud"
	"github.com/dropship-operator/dropship-operator/dispatcher/k3cloud/k3cloudtest"
	"github.com/dropship-operator/dropship-operator/dispatcher/order"
)

// BenchmarkERPCallsPer1000Orders runs the whole ERP side of 1,000 dispatched orders
// (1–2 lines each): the poll, the purchase-order write-back of every line and the tracking
// write-back of every line, and reports the calls the simulator received (target ≤ 5).
func BenchmarkERPCallsPer1000Orders(b *testing.B) {
	for _, entryLevel := range []bool{false, true} {
		name := "HeaderTracking"
		field := "F_TrackingNo"
		if entryLevel {
			name, field = "EntryTracking", "F_EntryTrackingNo"
		}
		b.Run(name, func(b *testing.B) {
			var calls int
			for range b.N {
				b.StopTimer()
				now := time.Date(2025, 3, 1, 12, 0, 0, 0, cst)
				srv, u := startSim(b, k3cloudtest.Options{Now: func() time.Time { return now }, Location: cst})
				if _, err := srv.SeedSalesOrders(k3cloudtest.SeedOptions{Orders: 1000, Seed: 9, MaxLines: 2, Start: now.Add(-time.Hour), Span: time.Hour}); err != nil {
					b.Fatal(err)
				}
				c := newClient(b, u, config.K3CloudAuthSignature)
				src, err := k3cloud.NewSource(c, "kingdee-main", config.SalesOrderQuery{PageSize: 2000}, k3cloud.SourceOptions{Location: cst, Now: func() time.Time { return now }})
				if err != nil {
					b.Fatal(err)
				}
				pw, err := k3cloud.NewPurchaseWriter(c, config.PurchaseOrders{PurchaseOrgNumber: "100", AutoSubmitAndAudit: true, BatchSize: 2000}, k3cloud.WriterOptions{})
				if err != nil {
					b.Fatal(err)
				}
				tw, err := k3cloud.NewTrackingWriter(c, "", config.TrackingWriteBack{TrackingNumberField: field, CarrierField: "", EntryLevel: entryLevel, BatchSize: 1000})
				if err != nil {
					b.Fatal(err)
				}
				srv.ResetCalls()
				b.StartTimer()

				orders, _, err := src.Poll(context.Background(), "")
				if err != nil || len(orders) != 1000 {
					b.Fatalf("poll: %d orders, %v", len(orders), err)
				}
				pos, ups := erpWork(orders)
				for _, r := range pw.RecordPurchaseOrders(context.Background(), pos) {
					if r.Err != nil {
						b.Fatal(r.Err)
					}
				}
				for _, r := range tw.WriteTracking(context.Background(), ups) {
					if r.Err != nil {
						b.Fatal(r.Err)
					}
				}
				b.StopTimer()
				calls = srv.TotalCalls()
				if n := len(srv.PurchaseOrders()); n != len(pos) {
					b.Fatalf("purchase orders = %d, want %d", n, len(pos))
				}
				_ = srv.Close()
				b.StartTimer()
			}
			b.ReportMetric(float64(calls), "erp-calls/1000orders")
		})
	}
}

func erpWork(orders []*order.Order) ([]k3cloud.POLine, []k3cloud.TrackingUpdate) {
	var pos []k3cloud.POLine
	var ups []k3cloud.TrackingUpdate
	for _, o := range orders {
		for i, l := range o.Lines {
			id := order.LineID(o.Source, o.BillNo, l.EntryID)
			pos = append(pos, k3cloud.POLine{Key: id, SalesOrderNo: o.BillNo, SalesOrderEntryID: l.EntryID, SalesOrderEntrySeq: i + 1,
				SupplierNumber: "VEN000" + strconv.Itoa(i%3+1), SKU: l.SKU, Quantity: l.Quantity, TaxPrice: l.UnitPrice, ShipTo: o.ShipTo})
			ups = append(ups, k3cloud.TrackingUpdate{Key: id, SalesOrderNo: o.BillNo, SalesOrderID: o.BillID, EntryID: l.EntryID,
				TrackingNo: "SF" + l.EntryID})
		}
	}
	return pos, ups
}

// BenchmarkIntakeThroughput polls 10,000 audited orders (1–3 lines) through a simulator
// that adds 10 ms to every call, and reports orders per second (target ≥ 2,000).
func BenchmarkIntakeThroughput(b *testing.B) {
	now := time.Date(2025, 3, 1, 12, 0, 0, 0, cst)
	clock := func() time.Time { return now }
	srv, u := startSim(b, k3cloudtest.Options{Latency: 10 * time.Millisecond, Now: clock, Location: cst})
	const n = 10000
	if _, err := srv.SeedSalesOrders(k3cloudtest.SeedOptions{Orders: n, Seed: 11, Start: now.Add(-6 * time.Hour), Span: 6 * time.Hour}); err != nil {
		b.Fatal(err)
	}
	src, err := k3cloud.NewSource(newClient(b, u, config.K3CloudAuthSignature), "kingdee-main", config.SalesOrderQuery{PageSize: 2000},
		k3cloud.SourceOptions{Location: cst, Now: clock})
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	start := time.Now()
	total := 0
	for range b.N {
		orders, _, err := src.Poll(context.Background(), "")
		if err != nil || len(orders) != n {
			b.Fatalf("poll: %d orders, %v", len(orders), err)
		}
		total += len(orders)
	}
	b.ReportMetric(float64(total)/time.Since(start).Seconds(), "orders/s")
}
