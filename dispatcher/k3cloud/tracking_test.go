package k3cloud_test

import (
	"context"
	"strconv"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/dropship-operator/dropship-operator/dispatcher/config"
	"github.com/dropship-operator/dropship-operator/dispatcher/k3cloud"
	"github.com/dropship-operator/dropship-operator/dispatcher/k3cloud/k3cloudtest"
)

func trackingEnv(t *testing.T, cfg config.TrackingWriteBack) (*k3cloudtest.Server, *k3cloud.TrackingWriter, []k3cloudtest.Bill) {
	t.Helper()
	srv, u := startSim(t, k3cloudtest.Options{})
	var bills []k3cloudtest.Bill
	for range 3 {
		no, _, err := srv.AddSalesOrder(k3cloudtest.SalesOrder{Address: "北京市1号",
			Lines: []k3cloudtest.SalesLine{{SKU: "A", Qty: 1}, {SKU: "B", Qty: 1}}})
		if err != nil {
			t.Fatal(err)
		}
		b, _ := srv.SalesOrder(no)
		bills = append(bills, b)
	}
	w, err := k3cloud.NewTrackingWriter(newClient(t, u, config.K3CloudAuthSignature), "", cfg)
	if err != nil {
		t.Fatal(err)
	}
	return srv, w, bills
}

func upd(b k3cloudtest.Bill, entry int, no, carrier string, withID bool) k3cloud.TrackingUpdate {
	u := k3cloud.TrackingUpdate{Key: b.Number + "/" + strconv.Itoa(entry), SalesOrderNo: b.Number,
		EntryID: b.EntryText(entry, "FEntryID"), TrackingNo: no, Carrier: carrier}
	if withID {
		u.SalesOrderID = strconv.FormatInt(b.ID, 10)
	}
	return u
}

func TestWriteTrackingHeader(t *testing.T) {
	srv, w, bills := trackingEnv(t, config.TrackingWriteBack{TrackingNumberField: "F_TrackingNo", CarrierField: "F_Carrier", BatchSize: 2})
	ctx := context.Background()
	res := w.WriteTracking(ctx, []k3cloud.TrackingUpdate{
		upd(bills[0], 0, "SF001", "顺丰", true), upd(bills[0], 1, "SF002", "顺丰", true),
		upd(bills[1], 0, "YT001", "圆通", false), upd(bills[2], 0, "ZT001", "中通", true),
		{Key: "gone", SalesOrderNo: "XSDD-GONE", TrackingNo: "X"},
	})
	for _, r := range res[:4] {
		if r.Err != nil {
			t.Fatalf("%s: %v", r.Key, r.Err)
		}
	}
	if res[4].Err == nil {
		t.Error("unknown sales order written without error")
	}
	// A later shipment of another line merges with what is there.
	if r := w.WriteTracking(ctx, []k3cloud.TrackingUpdate{upd(bills[1], 1, "YT002", "圆通", true)}); r[0].Err != nil {
		t.Fatal(r[0].Err)
	}
	got := map[string]string{}
	for _, b := range bills {
		so, _ := srv.SalesOrder(b.Number)
		got[b.Number] = so.Text("F_TrackingNo") + " " + so.Text("F_Carrier") + " " + so.Status
	}
	want := map[string]string{
		bills[0].Number: "SF001,SF002 顺丰 C",
		bills[1].Number: "YT001,YT002 圆通 C",
		bills[2].Number: "ZT001 中通 C",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("sales orders -want +got:\n%s", diff)
	}
}

func TestWriteTrackingEntryLevel(t *testing.T) {
	srv, w, bills := trackingEnv(t, config.TrackingWriteBack{TrackingNumberField: "F_EntryTrackingNo", EntryLevel: true})
	srv.ResetCalls()
	res := w.WriteTracking(context.Background(), []k3cloud.TrackingUpdate{
		upd(bills[0], 0, "SF001", "", true), upd(bills[0], 1, "SF002", "", true), upd(bills[2], 1, "ZT009", "", true),
	})
	for _, r := range res {
		if r.Err != nil {
			t.Fatal(r.Err)
		}
	}
	so0, _ := srv.SalesOrder(bills[0].Number)
	so2, _ := srv.SalesOrder(bills[2].Number)
	got := []string{so0.EntryText(0, "F_EntryTrackingNo"), so0.EntryText(1, "F_EntryTrackingNo"), so2.EntryText(0, "F_EntryTrackingNo"), so2.EntryText(1, "F_EntryTrackingNo")}
	if diff := cmp.Diff([]string{"SF001", "SF002", "", "ZT009"}, got); diff != "" {
		t.Errorf("entry tracking -want +got:\n%s", diff)
	}
	if len(so0.Entries) != 2 || so0.EntryText(0, "FMaterialId") != "A" {
		t.Errorf("entries changed: %+v", so0.Entries)
	}
	if c := srv.Calls(); c["BatchSave"] != 1 || c["ExecuteBillQuery"] != 0 {
		t.Errorf("calls = %v, want a single BatchSave", c)
	}
}
