package k3cloud_test

import (
	"context"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/dropship-operator/dropship-operator/dispatcher/config"
	"github.com/dropship-operator/dropship-operator/dispatcher/k3cloud"
	"github.com/dropship-operator/dropship-operator/dispatcher/k3cloud/k3cloudtest"
	"github.com/dropship-operator/dropship-operator/dispatcher/order"
	"github.com/dropship-operator/dropship-operator/dispatcher/supplier"
)

func newAdapter(t *testing.T, sim k3cloudtest.Options) (*k3cloudtest.Server, *k3cloud.Adapter) {
	t.Helper()
	srv, u := startSim(t, sim)
	ep := config.K3CloudEndpoint{
		K3CloudConnection: connFor(t, u, config.K3CloudAuthPassword, defaultCreds()),
		CustomerNumber:    "CUST-DROPSHIP", SaleOrgNumber: "200",
		TrackingNumberField: "F_TrackingNo", CarrierField: "F_Carrier",
	}
	a, err := k3cloud.NewAdapterFromConfig(ep, k3cloud.AdapterOptions{SKUMap: map[string]string{"SKU-1": "THEIR-1"}})
	if err != nil {
		t.Fatal(err)
	}
	return srv, a
}

func adapterRequest() supplier.Request {
	o := &order.Order{Source: "kingdee-main", BillNo: "XSDD000123",
		ShipTo: order.ShipTo{Name: "张三", Phone: "13800000000", Province: "广东省", Address: "广东省深圳市南山区1号"},
		Lines:  []order.Line{{EntryID: "100456", SKU: "SKU-1", Quantity: 2, UnitPrice: 59.9}, {EntryID: "100457", SKU: "SKU-2", Quantity: 1}}}
	return supplier.Request{Order: o, Lines: []int{0, 1}, IdempotencyKey: order.IdempotencyKey("kingdee-main", "XSDD000123", "", "sup-k3")}
}

func TestAdapterSubmitIsIdempotent(t *testing.T) {
	srv, a := newAdapter(t, k3cloudtest.Options{})
	req := adapterRequest()
	ctx := context.Background()
	r1, err := a.Submit(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	r2, err := a.Submit(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	if r1.SupplierOrderID != req.IdempotencyKey || r2.SupplierOrderID != r1.SupplierOrderID {
		t.Errorf("supplier order ids %q, %q, want the idempotency key", r1.SupplierOrderID, r2.SupplierOrderID)
	}
	sos := srv.Bills("SAL_SaleOrder")
	if len(sos) != 1 {
		t.Fatalf("their sales orders = %d, want 1", len(sos))
	}
	so := sos[0]
	got := []string{so.Text("FCustId"), so.Text("FSaleOrgId"), so.Text("FLinkMan"), so.Text("FReceiveAddress"),
		so.EntryText(0, "FMaterialId"), so.EntryText(0, "FQty"), so.EntryText(1, "FMaterialId"), so.EntryText(1, "FEntryNote")}
	want := []string{"CUST-DROPSHIP", "200", "张三", "广东省深圳市南山区1号", "THEIR-1", "2", "SKU-2", "kingdee-main XSDD000123/100457"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("their sales order -want +got:\n%s", diff)
	}
}

func TestAdapterLostAnswerNoDuplicate(t *testing.T) {
	srv, a := newAdapter(t, k3cloudtest.Options{})
	srv.InjectFault(k3cloudtest.Fault{Service: "Save", Times: 1, HTTPStatus: 502, AfterProcessing: true})
	req := adapterRequest()
	_, err := a.Submit(context.Background(), req)
	if supplier.KindOf(err) != supplier.Transient {
		t.Fatalf("err = %v, want Transient", err)
	}
	r, err := a.Submit(context.Background(), req)
	if err != nil || r.SupplierOrderID != req.IdempotencyKey {
		t.Fatalf("retry = %+v, %v", r, err)
	}
	if n := len(srv.Bills("SAL_SaleOrder")); n != 1 {
		t.Errorf("their sales orders = %d, want 1", n)
	}
}

func TestAdapterErrorKinds(t *testing.T) {
	cases := map[string]struct {
		reason string
		sim    k3cloudtest.Options
		fault  *k3cloudtest.Fault
		want   supplier.Kind
	}{
		"UnknownMaterial": {"their ERP refuses the material: reroute", k3cloudtest.Options{Materials: []string{"THEIR-1"}}, nil, supplier.Rejected},
		"NetworkControl":  {"MsgCode 13: retry", k3cloudtest.Options{}, &k3cloudtest.Fault{Service: "Save", MsgCode: 13}, supplier.Transient},
		"CallLimit":       {"MsgCode 14: slow down", k3cloudtest.Options{}, &k3cloudtest.Fault{Service: "Save", MsgCode: 14}, supplier.Throttled},
		"ServerDown":      {"HTTP 503: retry", k3cloudtest.Options{}, &k3cloudtest.Fault{HTTPStatus: 503}, supplier.Transient},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			srv, a := newAdapter(t, tc.sim)
			if tc.fault != nil {
				srv.InjectFault(*tc.fault)
			}
			_, err := a.Submit(context.Background(), adapterRequest())
			var se *supplier.Error
			if !errors.As(err, &se) || se.Kind != tc.want {
				t.Fatalf("%s\nerr = %v, want kind %v", tc.reason, err, tc.want)
			}
			if tc.want == supplier.Rejected && se.Message == "" {
				t.Errorf("%s\nrejection carries no Kingdee message", tc.reason)
			}
		})
	}
}

func TestAdapterPollShipment(t *testing.T) {
	srv, a := newAdapter(t, k3cloudtest.Options{})
	ctx := context.Background()
	req := adapterRequest()
	r, err := a.Submit(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	sh, err := a.PollShipment(ctx, r.SupplierOrderID, req.IdempotencyKey)
	if err != nil || sh != nil {
		t.Fatalf("before shipping: %+v, %v", sh, err)
	}
	if err := srv.SetField("SAL_SaleOrder", r.SupplierOrderID, "F_TrackingNo", "SF1234567890"); err != nil {
		t.Fatal(err)
	}
	if err := srv.SetField("SAL_SaleOrder", r.SupplierOrderID, "F_Carrier", "顺丰"); err != nil {
		t.Fatal(err)
	}
	sh, err = a.PollShipment(ctx, r.SupplierOrderID, req.IdempotencyKey)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(&order.Shipment{TrackingNo: "SF1234567890", Carrier: "顺丰"}, sh); diff != "" {
		t.Errorf("shipment -want +got:\n%s", diff)
	}
	if _, err := a.PollShipment(ctx, "XSDD-NOT-THERE", ""); err == nil {
		t.Error("polling an unknown order succeeded")
	}
}
