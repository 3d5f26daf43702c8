package supplier_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/dropship-operator/dropship-operator/dispatcher/config"
	"github.com/dropship-operator/dropship-operator/dispatcher/order"
	"github.com/dropship-operator/dropship-operator/dispatcher/supplier"
	"github.com/dropship-operator/dropship-operator/dispatcher/supplier/suppliertest"
)

// An adapter built from a Supplier's config, submitting one line to a simulated supplier,
// then the same line again after the supplier started throttling.
func ExampleNewHTTP() {
	sim, err := suppliertest.NewServer(suppliertest.Options{Name: "supplier-a"})
	if err != nil {
		panic(err)
	}
	defer sim.Close()

	a, err := supplier.NewHTTP(config.Supplier{
		Name: "supplier-a",
		HTTP: &config.HTTPEndpoint{
			URL:      sim.OrdersURL(),
			Request:  config.HTTPRequest{Method: "POST"}, // no template: the default payload
			Response: config.HTTPResponse{OrderIDPath: "data.orderId", AcceptedWhen: "code == 0"},
		},
		Delivery: config.Delivery{Timeout: config.D(5 * time.Second)},
	}, supplier.HTTPOptions{})
	if err != nil {
		panic(err)
	}
	o := suppliertest.ConformanceOrder("XSDD000123")
	req := supplier.Request{Order: o, Lines: []int{0}, IdempotencyKey: order.IdempotencyKey(o.Source, o.BillNo, "1", "supplier-a")}
	res, err := a.Submit(context.Background(), req)
	fmt.Println(res.SupplierOrderID, err)

	_ = sim.SetProfile(suppliertest.Profile{ThrottleRate: 1, RetryAfter: 3 * time.Second})
	_, err = a.Submit(context.Background(), req)
	var se *supplier.Error
	if errors.As(err, &se) {
		fmt.Println(se.Kind, se.StatusCode, se.RetryAfter)
	}
	// Output:
	// SIMSUPPLIER-1 <nil>
	// Throttled 429 3s
}

// The dispatcher's side of a shipment callback: verify, then parse.
func ExampleVerifyCallback() {
	secret := []byte("callback-secret") // the callbackSecret key of shipments.callbackSecretDir
	body := []byte(`{"supplierOrderId":"S-1","trackingNo":"SF1234567890","carrier":"SF"}`)
	h := http.Header{}
	supplier.SignCallback(h, secret, body, time.Now()) // what the supplier does

	if err := supplier.VerifyCallback(secret, h, body, time.Now()); err != nil {
		fmt.Println("refused:", err)
		return
	}
	cb, err := supplier.ParseCallback(body)
	fmt.Println(cb.SupplierOrderID, cb.Shipment().TrackingNo, err)
	// Output: S-1 SF1234567890 <nil>
}
