package k3cloud_test

import (
	"context"
	"testing"
	"time"

	"github.com/dropship-operator/dropship-operator/dispatcher/config"
	"github.com/dropship-operator/dropship-operator/dispatcher/k3cloud"
	"github.com/dropship-operator/dropship-operator/dispatcher/k3cloud/k3cloudtest"
)

// TestConnectorEndToEnd is the ERP side of "done": a connector built from the rendered
// config pulls the simulator's orders, records one audited PO per line and writes every
// tracking number back.
func TestConnectorEndToEnd(t *testing.T) {
	srv, u := startSim(t, k3cloudtest.Options{})
	if _, err := srv.SeedSalesOrders(k3cloudtest.SeedOptions{Orders: 50, Seed: 5, Span: time.Hour}); err != nil {
		t.Fatal(err)
	}
	cfg := config.DispatcherConfig{Source: config.Source{Name: "kingdee-main", K3Cloud: &config.K3CloudSource{
		K3CloudConnection: connFor(t, u, config.K3CloudAuthSign, defaultCreds()),
		SalesOrders:       config.SalesOrderQuery{Filter: "F_DropShip = 1"},
		PurchaseOrders:    config.PurchaseOrders{Enabled: true, PurchaseOrgNumber: "100", AutoSubmitAndAudit: true},
		TrackingWriteBack: &config.TrackingWriteBack{TrackingNumberField: "F_TrackingNo", CarrierField: "F_Carrier"},
	}}}
	cfg.Default()
	conn, err := k3cloud.NewConnector(cfg.Source.Name, *cfg.Source.K3Cloud, k3cloud.ConnectorOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if conn.Cursor != "k3cloud/kingdee-main/watermark" {
		t.Errorf("cursor = %q", conn.Cursor)
	}
	ctx := context.Background()
	orders, wm, err := conn.Source.Poll(ctx, "")
	if err != nil || len(orders) != 50 || wm == "" {
		t.Fatalf("poll: %d orders, watermark %q, %v", len(orders), wm, err)
	}
	pos, ups := erpWork(orders)
	for _, r := range conn.Purchases.RecordPurchaseOrders(ctx, pos) {
		if r.Err != nil {
			t.Fatal(r.Err)
		}
	}
	for _, r := range conn.Tracking.WriteTracking(ctx, ups) {
		if r.Err != nil {
			t.Fatal(r.Err)
		}
	}
	audited := 0
	for _, po := range srv.PurchaseOrders() {
		if po.Status == "C" {
			audited++
		}
	}
	if audited != len(pos) {
		t.Errorf("audited purchase orders = %d, want one per line (%d)", audited, len(pos))
	}
	for _, o := range orders {
		so, _ := srv.SalesOrder(o.BillNo)
		if so.Text("F_TrackingNo") == "" {
			t.Errorf("sales order %s has no tracking number", o.BillNo)
		}
	}
}

func TestConnectorOptionalParts(t *testing.T) {
	_, u := startSim(t, k3cloudtest.Options{})
	conn, err := k3cloud.NewConnector("x", config.K3CloudSource{K3CloudConnection: connFor(t, u, config.K3CloudAuthSignature, defaultCreds())}, k3cloud.ConnectorOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if conn.Purchases != nil || conn.Tracking != nil || conn.Source == nil {
		t.Errorf("connector = %+v, want a source and no write-backs", conn)
	}
}
