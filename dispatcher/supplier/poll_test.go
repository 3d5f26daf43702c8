package supplier_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/dropship-operator/dropship-operator/dispatcher/config"
	"github.com/dropship-operator/dropship-operator/dispatcher/order"
	"github.com/dropship-operator/dropship-operator/dispatcher/supplier"
	"github.com/dropship-operator/dropship-operator/dispatcher/supplier/suppliertest"
)

func TestPollShipment(t *testing.T) {
	for name, pollURL := range map[string]string{
		"by supplier order id": "/v1/orders/{{.SupplierOrderID}}",
		"by idempotency key":   "/v1/orders?idempotencyKey={{.IdempotencyKey}}",
	} {
		t.Run(name, func(t *testing.T) {
			srv := suppliertest.Start(t, suppliertest.Options{Profile: suppliertest.Profile{ShipDelay: 300 * time.Millisecond}})
			a, err := supplier.NewHTTP(config.Supplier{Name: "p", HTTP: &config.HTTPEndpoint{
				URL:      srv.OrdersURL(),
				Response: config.HTTPResponse{OrderIDPath: "data.orderId", AcceptedWhen: "code == 0"},
				Shipments: config.Shipments{Mode: config.ShipmentsPoll, PollURL: pollURL, ShippedWhen: `data.status == "SHIPPED"`,
					TrackingNumberPath: "data.trackingNo", CarrierPath: "data.carrier"},
			}}, supplier.HTTPOptions{})
			if err != nil {
				t.Fatal(err)
			}
			ctx := context.Background()
			o := suppliertest.ConformanceOrder("POLL-1")
			key := order.IdempotencyKey(o.Source, o.BillNo, "1", "p")
			res, err := a.Submit(ctx, supplier.Request{Order: o, Lines: []int{0}, IdempotencyKey: key})
			if err != nil {
				t.Fatalf("Submit: %v", err)
			}
			sh, err := a.PollShipment(ctx, res.SupplierOrderID, key)
			if err != nil || sh != nil {
				t.Fatalf("PollShipment before the ship delay = %+v, %v; want nil, nil", sh, err)
			}
			deadline := time.Now().Add(5 * time.Second)
			for sh == nil && err == nil && time.Now().Before(deadline) {
				time.Sleep(50 * time.Millisecond)
				sh, err = a.PollShipment(ctx, res.SupplierOrderID, key)
			}
			if err != nil || sh == nil {
				t.Fatalf("PollShipment after the ship delay = %+v, %v; want a shipment", sh, err)
			}
			if sh.Carrier == "" || !strings.HasPrefix(sh.TrackingNo, sh.Carrier) || sh.ShippedAt.IsZero() {
				t.Errorf("shipment = %+v, want a carrier, its tracking number and a time", sh)
			}
			if _, err := a.PollShipment(ctx, "SIMSUPPLIER-999999", "dso-nope"); supplier.KindOf(err) != supplier.Rejected || err == nil {
				t.Errorf("PollShipment of an unknown order: err = %v, want Rejected", err)
			}
		})
	}
}

func TestPollShipmentNeedsPollMode(t *testing.T) {
	a, err := supplier.NewHTTP(config.Supplier{Name: "c", HTTP: &config.HTTPEndpoint{URL: "http://127.0.0.1:1/o"}}, supplier.HTTPOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.PollShipment(context.Background(), "x", "y"); supplier.KindOf(err) != supplier.Rejected || err == nil {
		t.Errorf("err = %v, want Rejected", err)
	}
}
