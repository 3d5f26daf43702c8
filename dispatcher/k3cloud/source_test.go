package k3cloud_test

import (
	"context"
	"errors"
	"sort"
	"strconv"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/dropship-operator/dropship-operator/dispatcher/config"
	"github.com/dropship-operator/dropship-operator/dispatcher/k3cloud"
	"github.com/dropship-operator/dropship-operator/dispatcher/k3cloud/k3cloudtest"
	"github.com/dropship-operator/dropship-operator/dispatcher/order"
)

var cst = time.FixedZone("CST", 8*3600)

type sourceEnv struct {
	srv *k3cloudtest.Server
	src *k3cloud.Source
	now time.Time
}

func newSourceEnv(t *testing.T, cfg config.SalesOrderQuery) *sourceEnv {
	t.Helper()
	env := &sourceEnv{now: time.Date(2025, 3, 1, 12, 0, 0, 0, cst)}
	clock := func() time.Time { return env.now }
	srv, u := startSim(t, k3cloudtest.Options{Now: clock, Location: cst})
	env.srv = srv
	src, err := k3cloud.NewSource(newClient(t, u, config.K3CloudAuthSignature), "kingdee-main", cfg,
		k3cloud.SourceOptions{Location: cst, Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	env.src = src
	return env
}

func (e *sourceEnv) add(t *testing.T, o k3cloudtest.SalesOrder) string {
	t.Helper()
	no, _, err := e.srv.AddSalesOrder(o)
	if err != nil {
		t.Fatal(err)
	}
	return no
}

func billNosOf(orders []*order.Order) []string {
	out := make([]string, len(orders))
	for i, o := range orders {
		out[i] = o.BillNo
	}
	return out
}

func TestPollMapsOrders(t *testing.T) {
	env := newSourceEnv(t, config.SalesOrderQuery{})
	approve := time.Date(2025, 3, 1, 10, 15, 33, 127e6, cst)
	no := env.add(t, k3cloudtest.SalesOrder{
		Customer: "CUST0001", LinkMan: "张三", Phone: "13800000000", Address: "广东省深圳市南山区科技园1号",
		Note: "加急", Date: approve.Add(-time.Hour), ApproveDate: approve, DropShip: true,
		Lines: []k3cloudtest.SalesLine{
			{SKU: "SKU-001", Name: "保温杯", Qty: 2, TaxPrice: 59.9, Note: "红色"},
			{SKU: "SKU-002", Name: "耳机", Qty: 1, TaxPrice: 19.9},
		},
	})
	so, _ := env.srv.SalesOrder(no)
	orders, next, err := env.src.Poll(context.Background(), "")
	if err != nil {
		t.Fatal(err)
	}
	want := []*order.Order{{
		Source: "kingdee-main", BillNo: no, BillID: itoa64(so.ID), Customer: "CUST0001", Note: "加急",
		ShipTo: order.ShipTo{Name: "张三", Phone: "13800000000", Province: "广东省", City: "深圳市", District: "南山区",
			Address: "广东省深圳市南山区科技园1号"},
		Lines: []order.Line{
			{EntryID: so.EntryText(0, "FEntryID"), SKU: "SKU-001", Name: "保温杯", Quantity: 2, UnitPrice: 59.9, Note: "红色"},
			{EntryID: so.EntryText(1, "FEntryID"), SKU: "SKU-002", Name: "耳机", Quantity: 1, UnitPrice: 19.9},
		},
		CreatedAt:  approve.Add(-time.Hour),
		ApprovedAt: approve,
	}}
	if diff := cmp.Diff(want, orders); diff != "" {
		t.Errorf("orders -want +got:\n%s", diff)
	}
	if next != "2025-03-01 10:15:33" {
		t.Errorf("next watermark = %q, want 2025-03-01 10:15:33", next)
	}
	if err := orders[0].Validate(); err != nil {
		t.Errorf("mapped order does not validate: %v", err)
	}
}

func itoa64(n int64) string { return strconv.FormatInt(n, 10) }

func TestPollWatermarkAndOverlap(t *testing.T) {
	env := newSourceEnv(t, config.SalesOrderQuery{Overlap: config.D(2 * time.Minute)})
	line := []k3cloudtest.SalesLine{{SKU: "SKU-1", Qty: 1}}
	at := func(h, m int) time.Time { return time.Date(2025, 3, 1, h, m, 0, 0, cst) }
	a := env.add(t, k3cloudtest.SalesOrder{Address: "北京市朝阳区1号", ApproveDate: at(9, 0), Lines: line})
	b := env.add(t, k3cloudtest.SalesOrder{Address: "北京市朝阳区2号", ApproveDate: at(11, 0), Lines: line})
	ctx := context.Background()

	orders, wm, err := env.src.Poll(ctx, "2025-03-01 08:00:00")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{a, b}, billNosOf(orders)); diff != "" {
		t.Fatalf("first poll -want +got:\n%s", diff)
	}
	if wm != "2025-03-01 11:00:00" {
		t.Fatalf("watermark = %q", wm)
	}

	// A bill audited at 10:59 but committed after the first poll (a late commit) falls in the
	// overlap window; one audited later is new; b comes back again (intake dedupes it).
	late := env.add(t, k3cloudtest.SalesOrder{Address: "北京市朝阳区3号", ApproveDate: at(10, 59), Lines: line})
	c := env.add(t, k3cloudtest.SalesOrder{Address: "北京市朝阳区4号", ApproveDate: at(11, 30), Lines: line})
	tooOld := env.add(t, k3cloudtest.SalesOrder{Address: "北京市朝阳区5号", ApproveDate: at(10, 30), Lines: line})
	orders, wm2, err := env.src.Poll(ctx, wm)
	if err != nil {
		t.Fatal(err)
	}
	got := billNosOf(orders)
	if diff := cmp.Diff([]string{late, b, c}, got); diff != "" {
		t.Errorf("second poll -want +got:\n%s", diff)
	}
	for _, no := range got {
		if no == tooOld {
			t.Errorf("bill %s older than the overlap window came back", tooOld)
		}
	}
	if wm2 != "2025-03-01 11:30:00" {
		t.Errorf("watermark = %q, want 2025-03-01 11:30:00", wm2)
	}

	// Nothing new: the watermark stays.
	_, wm3, err := env.src.Poll(ctx, "2025-03-01 12:00:00")
	if err != nil || wm3 != "2025-03-01 12:00:00" {
		t.Errorf("empty poll: watermark %q, err %v", wm3, err)
	}
}

func TestPollFiltersAndKeepsInvalidOrders(t *testing.T) {
	env := newSourceEnv(t, config.SalesOrderQuery{Filter: "F_DropShip = 1"})
	line := []k3cloudtest.SalesLine{{SKU: "SKU-1", Qty: 1}}
	good := env.add(t, k3cloudtest.SalesOrder{LinkMan: "赵六", Phone: "13900000000", Address: "新疆乌鲁木齐市天山区1号", DropShip: true, Lines: line})
	noProvince := env.add(t, k3cloudtest.SalesOrder{LinkMan: "钱七", Phone: "13900000001", Address: "科技园1号", DropShip: true, Lines: line})
	env.add(t, k3cloudtest.SalesOrder{LinkMan: "孙八", Phone: "13900000002", Address: "北京市1号", DropShip: false, Lines: line})
	env.add(t, k3cloudtest.SalesOrder{LinkMan: "周九", Phone: "13900000003", Address: "北京市2号", DropShip: true, Unaudited: true, Lines: line})
	cancelled := env.add(t, k3cloudtest.SalesOrder{LinkMan: "吴十", Phone: "13900000004", Address: "北京市3号", DropShip: true, Lines: line})
	if err := env.srv.CancelSalesOrder(cancelled); err != nil {
		t.Fatal(err)
	}
	orders, _, err := env.src.Poll(context.Background(), "")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{good, noProvince}, billNosOf(orders)); diff != "" {
		t.Fatalf("polled -want +got:\n%s", diff)
	}
	if orders[0].ShipTo.Province != "新疆维吾尔自治区" {
		t.Errorf("province = %q", orders[0].ShipTo.Province)
	}
	var fe order.FieldErrors
	if err := orders[1].Validate(); !errors.As(err, &fe) || fe[0].Field != "shipTo.province" {
		t.Errorf("order without a province: Validate() = %v, want a shipTo.province error", err)
	}
}

func TestPollConfiguredFields(t *testing.T) {
	env := newSourceEnv(t, config.SalesOrderQuery{Fields: map[string]string{
		k3cloud.FieldLineName: "FMaterialName", k3cloud.FieldNote: "-", k3cloud.FieldCurrency: "FSettleCurrId.FCode",
	}})
	env.add(t, k3cloudtest.SalesOrder{Address: "湖南省长沙市岳麓区1号", Note: "不读", Lines: []k3cloudtest.SalesLine{{SKU: "S", Name: "名称", Qty: 3}}})
	orders, _, err := env.src.Poll(context.Background(), "")
	if err != nil {
		t.Fatal(err)
	}
	if o := orders[0]; o.Note != "" || o.Currency != "CNY" || o.Lines[0].Name != "名称" {
		t.Errorf("order = note %q currency %q name %q", o.Note, o.Currency, o.Lines[0].Name)
	}
}

func TestNewSourceRefusesBadFields(t *testing.T) {
	c := newClient(t, "http://127.0.0.1:1/k3cloud/", config.K3CloudAuthSignature)
	for name, f := range map[string]map[string]string{
		"Unknown":     {"shipTo.planet": "FPlanet"},
		"Injection":   {k3cloud.FieldNote: "FNote,FBillNo) or (1=1"},
		"RequiredOff": {k3cloud.FieldLineSKU: "-"},
	} {
		if _, err := k3cloud.NewSource(c, "x", config.SalesOrderQuery{Fields: f}, k3cloud.SourceOptions{}); err == nil {
			t.Errorf("%s: NewSource accepted %v", name, f)
		}
	}
}

func TestCancelled(t *testing.T) {
	env := newSourceEnv(t, config.SalesOrderQuery{})
	line := []k3cloudtest.SalesLine{{SKU: "SKU-1", Qty: 1}}
	keep := env.add(t, k3cloudtest.SalesOrder{Address: "北京市1号", Lines: line})
	cancel := env.add(t, k3cloudtest.SalesOrder{Address: "北京市2号", Lines: line})
	unaudit := env.add(t, k3cloudtest.SalesOrder{Address: "北京市3号", Lines: line})
	if err := env.srv.CancelSalesOrder(cancel); err != nil {
		t.Fatal(err)
	}
	if err := env.srv.UnAuditSalesOrder(unaudit); err != nil {
		t.Fatal(err)
	}
	got, err := env.src.Cancelled(context.Background(), []string{keep, cancel, unaudit, "XSDD-GONE"})
	if err != nil {
		t.Fatal(err)
	}
	sort.Slice(got, func(i, j int) bool { return got[i].BillNo < got[j].BillNo })
	want := []k3cloud.Cancellation{
		{BillNo: cancel, Reason: "cancelled", DocumentStatus: "D", CancelStatus: "B"},
		{BillNo: unaudit, Reason: "unaudited", DocumentStatus: "D", CancelStatus: "A"},
		{BillNo: "XSDD-GONE", Reason: "deleted"},
	}
	sort.Slice(want, func(i, j int) bool { return want[i].BillNo < want[j].BillNo })
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Cancelled -want +got:\n%s", diff)
	}
}
