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
)

type poEnv struct {
	srv *k3cloudtest.Server
	w   *k3cloud.PurchaseWriter
	so  k3cloudtest.Bill
}

func newPOEnv(t *testing.T, sim k3cloudtest.Options, cfg config.PurchaseOrders) *poEnv {
	t.Helper()
	srv, u := startSim(t, sim)
	no, _, err := srv.AddSalesOrder(k3cloudtest.SalesOrder{Address: "广东省深圳市南山区1号", LinkMan: "张三", Phone: "13800000000",
		Lines: []k3cloudtest.SalesLine{{SKU: "SKU-1", Qty: 2}, {SKU: "SKU-2", Qty: 1}, {SKU: "SKU-3", Qty: 5}}})
	if err != nil {
		t.Fatal(err)
	}
	so, _ := srv.SalesOrder(no)
	if cfg.PurchaseOrgNumber == "" {
		cfg.PurchaseOrgNumber = "100"
	}
	w, err := k3cloud.NewPurchaseWriter(newClient(t, u, config.K3CloudAuthSignature), cfg, k3cloud.WriterOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return &poEnv{srv: srv, w: w, so: so}
}

func (e *poEnv) lines(suppliers ...string) []k3cloud.POLine {
	var out []k3cloud.POLine
	for i, sup := range suppliers {
		out = append(out, k3cloud.POLine{
			Key: "line-" + e.so.EntryText(i, "FEntryID"), SalesOrderNo: e.so.Number, SalesOrderEntryID: e.so.EntryText(i, "FEntryID"),
			SalesOrderEntrySeq: i + 1, SupplierNumber: sup, SKU: e.so.EntryText(i, "FMaterialId"), Quantity: float64(i + 1), TaxPrice: 10,
			ShipTo: order.ShipTo{Name: "张三", Phone: "13800000000", Address: "广东省深圳市南山区1号"}, SupplierOrderID: "SUP-" + e.so.EntryText(i, "FEntryID"),
		})
	}
	return out
}

// poLinks reads back, per PO, the sales-order link and status.
func poLinks(srv *k3cloudtest.Server, linkField string) map[string]string {
	out := map[string]string{}
	for _, po := range srv.PurchaseOrders() {
		out[po.EntryText(0, "FDEMANDBILLNO")+"/"+po.EntryText(0, linkField)] = po.Status + " " + po.Text("FSupplierId")
	}
	return out
}

func TestRecordPurchaseOrders(t *testing.T) {
	env := newPOEnv(t, k3cloudtest.Options{}, config.PurchaseOrders{AutoSubmitAndAudit: true})
	env.srv.ResetCalls()
	res := env.w.RecordPurchaseOrders(context.Background(), env.lines("VEN0001", "VEN0002", "VEN0001"))
	for _, r := range res {
		if r.Err != nil || r.BillNo == "" || r.Existing {
			t.Errorf("result %+v", r)
		}
	}
	so := env.so
	want := map[string]string{
		so.Number + "/" + so.EntryText(0, "FEntryID"): "C VEN0001",
		so.Number + "/" + so.EntryText(1, "FEntryID"): "C VEN0002",
		so.Number + "/" + so.EntryText(2, "FEntryID"): "C VEN0001",
	}
	if diff := cmp.Diff(want, poLinks(env.srv, "FDEMANDBILLENTRYID")); diff != "" {
		t.Errorf("purchase orders -want +got:\n%s", diff)
	}
	if got := env.srv.Calls(); got["BatchSave"] != 1 || got["ExecuteBillQuery"] != 1 {
		t.Errorf("calls = %v, want one lookup and one BatchSave", got)
	}
}

// TestRecordPurchaseOrdersAfterCrash: the dispatcher saved the POs but crashed before the
// journal commit; the retry must find them, not create second ones.
func TestRecordPurchaseOrdersAfterCrash(t *testing.T) {
	env := newPOEnv(t, k3cloudtest.Options{}, config.PurchaseOrders{AutoSubmitAndAudit: true})
	first := env.w.RecordPurchaseOrders(context.Background(), env.lines("VEN0001", "VEN0002", "VEN0003"))
	// ... crash: the results are lost. The retry:
	again := env.w.RecordPurchaseOrders(context.Background(), env.lines("VEN0001", "VEN0002", "VEN0003"))
	for i := range again {
		if again[i].Err != nil || !again[i].Existing || again[i].BillNo != first[i].BillNo {
			t.Errorf("retry %d = %+v, want existing %s", i, again[i], first[i].BillNo)
		}
	}
	if n := len(env.srv.PurchaseOrders()); n != 3 {
		t.Errorf("purchase orders = %d, want 3 (no duplicates)", n)
	}
}

// TestRecordPurchaseOrdersLostAnswer: the BatchSave ran but its answer was lost (HTTP 502);
// the writer looks the links up before saving again.
func TestRecordPurchaseOrdersLostAnswer(t *testing.T) {
	env := newPOEnv(t, k3cloudtest.Options{}, config.PurchaseOrders{AutoSubmitAndAudit: true})
	env.srv.InjectFault(k3cloudtest.Fault{Service: "BatchSave", Times: 1, HTTPStatus: 502, AfterProcessing: true})
	res := env.w.RecordPurchaseOrders(context.Background(), env.lines("VEN0001", "VEN0002"))
	for _, r := range res {
		if r.Err != nil || !r.Existing || r.BillNo == "" {
			t.Errorf("result %+v, want the existing PO", r)
		}
	}
	if n := len(env.srv.PurchaseOrders()); n != 2 {
		t.Errorf("purchase orders = %d, want 2", n)
	}
	if n := env.srv.CallCount("BatchSave"); n != 1 {
		t.Errorf("BatchSave calls = %d, want 1 (the lookup found both)", n)
	}
}

func TestRecordPurchaseOrdersTemporaryFailure(t *testing.T) {
	env := newPOEnv(t, k3cloudtest.Options{}, config.PurchaseOrders{})
	env.srv.InjectFault(k3cloudtest.Fault{Service: "BatchSave", HTTPStatus: 503})
	res := env.w.RecordPurchaseOrders(context.Background(), env.lines("VEN0001"))
	if !errors.Is(res[0].Err, k3cloud.ErrHTTP) || !k3cloud.Temporary(res[0].Err) {
		t.Errorf("err = %v, want a temporary ErrHTTP", res[0].Err)
	}
	if n := len(env.srv.PurchaseOrders()); n != 0 {
		t.Errorf("purchase orders = %d", n)
	}
}

func TestRecordPurchaseOrdersPerRecordErrors(t *testing.T) {
	env := newPOEnv(t, k3cloudtest.Options{Suppliers: []string{"VEN0001"}}, config.PurchaseOrders{AutoSubmitAndAudit: true})
	res := env.w.RecordPurchaseOrders(context.Background(), env.lines("VEN0001", "VEN0404", "VEN0001"))
	if res[0].Err != nil || res[2].Err != nil {
		t.Fatalf("good lines failed: %v / %v", res[0].Err, res[2].Err)
	}
	var ke *k3cloud.Error
	if !errors.As(res[1].Err, &ke) || !errors.Is(res[1].Err, k3cloud.ErrNotExist) {
		t.Fatalf("bad line err = %v, want a *k3cloud.Error ErrNotExist", res[1].Err)
	}
	if len(ke.Errors) != 1 || ke.Errors[0].FieldName != "FSupplierId" || ke.Errors[0].Message == "" {
		t.Errorf("errors = %+v, want Kingdee's message on FSupplierId", ke.Errors)
	}
	if res[1].Key != env.lines("", "x")[1].Key {
		t.Errorf("key = %q", res[1].Key)
	}
	if n := len(env.srv.PurchaseOrders()); n != 2 {
		t.Errorf("purchase orders = %d, want 2", n)
	}
}

func TestRecordPurchaseOrdersCustomLinkAndBatches(t *testing.T) {
	env := newPOEnv(t, k3cloudtest.Options{CustomEntryFields: []string{"F_SOLine"}},
		config.PurchaseOrders{LinkField: "F_SOLine", BatchSize: 2})
	ctx := context.Background()
	res := env.w.RecordPurchaseOrders(ctx, env.lines("VEN0001", "VEN0002", "VEN0003"))
	for _, r := range res {
		if r.Err != nil {
			t.Fatal(r.Err)
		}
	}
	if n := env.srv.CallCount("BatchSave"); n != 2 {
		t.Errorf("BatchSave calls = %d, want 2 (batches of 2)", n)
	}
	again := env.w.RecordPurchaseOrders(ctx, env.lines("VEN0001", "VEN0002", "VEN0003"))
	for _, r := range again {
		if !r.Existing {
			t.Errorf("retry %+v not found by the custom link", r)
		}
	}
	for _, po := range env.srv.PurchaseOrders() {
		if po.Status != "A" || po.EntryText(0, "F_SOLine") == "" {
			t.Errorf("PO %s status %s link %q", po.Number, po.Status, po.EntryText(0, "F_SOLine"))
		}
	}
}

func TestNewPurchaseWriterValidates(t *testing.T) {
	c := newClient(t, "http://127.0.0.1:1/k3cloud/", config.K3CloudAuthSignature)
	for name, cfg := range map[string]config.PurchaseOrders{
		"NoOrg":      {},
		"BadLink":    {PurchaseOrgNumber: "100", LinkField: "F x"},
		"DottedLink": {PurchaseOrgNumber: "100", LinkField: "FMaterialId.FNumber"},
	} {
		if _, err := k3cloud.NewPurchaseWriter(c, cfg, k3cloud.WriterOptions{}); err == nil {
			t.Errorf("%s: accepted %+v", name, cfg)
		}
	}
}
