package k3cloud_test

import (
	"context"
	"testing"
	"time"

	"github.com/dropship-operator/dropship-operator/dispatcher/config"
	"github.com/dropship-operator/dropship-operator/dispatcher/k3cloud"
	"github.com/dropship-operator/dropship-operator/dispatcher/k3cloud/k3cloudtest"
	"github.com/google/go-cmp/cmp"
)

func TestFilters(t *testing.T) {
	loc := time.FixedZone("CST", 8*3600)
	srv, u := startSim(t, k3cloudtest.Options{Location: loc})
	add := func(o k3cloudtest.SalesOrder) string {
		no, _, err := srv.AddSalesOrder(o)
		if err != nil {
			t.Fatal(err)
		}
		return no
	}
	d := func(day, hour int) time.Time { return time.Date(2025, 3, day, hour, 0, 0, 0, loc) }
	line := []k3cloudtest.SalesLine{{SKU: "SKU-1", Qty: 1, TaxPrice: 10}}
	obrien := add(k3cloudtest.SalesOrder{LinkMan: "O'Brien", Address: "广东省深圳市南山区1号", ApproveDate: d(1, 8), DropShip: true, Lines: line})
	zhang := add(k3cloudtest.SalesOrder{LinkMan: "张三", Address: "浙江省杭州市西湖区2号", ApproveDate: d(1, 9), DropShip: true, Lines: line})
	li := add(k3cloudtest.SalesOrder{LinkMan: "李四", Address: "北京市朝阳区3号", ApproveDate: d(2, 10), Lines: line})
	draft := add(k3cloudtest.SalesOrder{LinkMan: "王五", Address: "上海市浦东新区4号", Unaudited: true, Lines: line})
	c := newClient(t, u, config.K3CloudAuthSignature)

	cases := map[string]struct {
		reason string
		filter k3cloud.Filter
		want   []string
	}{
		"QuoteEscaped":     {"a quote inside a literal is doubled", k3cloud.Eq("FLinkMan", "O'Brien"), []string{obrien}},
		"InjectionInert":   {"user text cannot widen the filter", k3cloud.Eq("FLinkMan", "x' or '1'='1"), nil},
		"Like":             {"like with % wildcards", k3cloud.Like("FReceiveAddress", "%深圳%"), []string{obrien}},
		"In":               {"in over bill numbers", k3cloud.In("FBillNo", zhang, li, "XSDD-NONE"), []string{zhang, li}},
		"EmptyIn":          {"an empty in-list matches nothing", k3cloud.In[string]("FBillNo"), nil},
		"DateWindow":       {"date literals compare with datetime fields", k3cloud.And(k3cloud.Ge("FApproveDate", d(1, 9)), k3cloud.Lt("FApproveDate", d(2, 11))), []string{zhang, li}},
		"DateOnlyLiteral":  {"a date without time", k3cloud.Ge("FApproveDate", "2025-03-02"), []string{li}},
		"StatusAndRaw":     {"the OrderSource's raw filter is ANDed in parentheses", k3cloud.And(k3cloud.Eq("FDocumentStatus", "C"), k3cloud.Raw("F_DropShip = 1 or FLinkMan = '李四'")), []string{obrien, zhang, li}},
		"RawPrecedence":    {"parentheses keep 'or' in the raw filter from escaping the AND", k3cloud.And(k3cloud.Eq("FLinkMan", "王五"), k3cloud.Raw("F_DropShip = 1 or FDocumentStatus = 'A'")), []string{draft}},
		"Or":               {"or of two equalities", k3cloud.Or(k3cloud.Eq("FLinkMan", "李四"), k3cloud.Eq("FLinkMan", "王五")), []string{li, draft}},
		"NotEqual":         {"<> on status", k3cloud.Ne("FDocumentStatus", "C"), []string{draft}},
		"EntryFieldFilter": {"a filter on an entry field gives entry rows", k3cloud.Eq("FMaterialId.FNumber", "SKU-1"), []string{obrien, zhang, li, draft}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			q := billNoQuery
			q.Filter = tc.filter
			rows, err := c.ExecuteBillQuery(context.Background(), q)
			if err != nil {
				t.Fatalf("%s\nfilter %q: %v", tc.reason, tc.filter, err)
			}
			got := billNos(rows)
			if len(got) == 0 {
				got = nil
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("%s\nfilter %q -want +got:\n%s", tc.reason, tc.filter, diff)
			}
		})
	}
}

func TestFilterBuilderRefusesBadFieldKeys(t *testing.T) {
	for _, f := range []k3cloud.Filter{k3cloud.Eq("FBillNo = '1' or 1", 1), k3cloud.In("F;drop", 1), k3cloud.And(k3cloud.Eq("FQty", 1), k3cloud.Eq("x y", 2))} {
		if f.Err() == nil {
			t.Errorf("filter %q built without error", f)
		}
	}
	if _, err := k3cloud.Literal(struct{}{}); err == nil {
		t.Error("Literal(struct{}) succeeded")
	}
}
