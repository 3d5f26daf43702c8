package k3cloud_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/dropship-operator/dropship-operator/dispatcher/config"
	"github.com/dropship-operator/dropship-operator/dispatcher/k3cloud"
	"github.com/dropship-operator/dropship-operator/dispatcher/k3cloud/k3cloudtest"
	"github.com/google/go-cmp/cmp"
)

func TestErrorPayloads(t *testing.T) {
	ctx := context.Background()
	cases := map[string]struct {
		reason    string
		fault     *k3cloudtest.Fault
		call      func(c *k3cloud.Client) error
		want      error
		msgCode   int
		http      int
		field     string
		temporary bool
	}{
		"UnknownForm": {reason: "MsgCode 4 for an unknown FormId", want: k3cloud.ErrException, msgCode: 4,
			call: func(c *k3cloud.Client) error {
				_, err := c.ExecuteBillQuery(ctx, k3cloud.Query{FormID: "NO_SUCH_FORM", FieldKeys: []string{"FBillNo"}})
				return err
			}},
		"UnknownField": {reason: "MsgCode 9 for an unknown field key", want: k3cloud.ErrNotExist, msgCode: 9,
			call: func(c *k3cloud.Client) error {
				_, err := c.ExecuteBillQuery(ctx, k3cloud.Query{FormID: "SAL_SaleOrder", FieldKeys: []string{"FCustomerID"}})
				return err
			}},
		"EmptyFieldKeys": {reason: "MsgCode 8 for empty FieldKeys", want: k3cloud.ErrParameter, msgCode: 8,
			call: func(c *k3cloud.Client) error {
				_, err := c.ExecuteBillQuery(ctx, k3cloud.Query{FormID: "SAL_SaleOrder"})
				return err
			}},
		"BadFilter": {reason: "MsgCode 4 GetRealExpress for an unparsable filter", want: k3cloud.ErrException, msgCode: 4,
			call: func(c *k3cloud.Client) error {
				q := billNoQuery
				q.Filter = k3cloud.Raw("FBillNo = = 'x")
				_, err := c.ExecuteBillQuery(ctx, q)
				return err
			}},
		"BillQueryError": {reason: "BillQuery answers errors as a bare object", want: k3cloud.ErrNotExist, msgCode: 9,
			call: func(c *k3cloud.Client) error {
				_, err := c.BillQuery(ctx, k3cloud.Query{FormID: "SAL_SaleOrder", FieldKeys: []string{"FNoSuchField"}})
				return err
			}},
		"DuplicateNumber": {reason: "MsgCode 11 with FieldName FBillNo", want: k3cloud.ErrValidation, msgCode: 11, field: "FBillNo",
			call: func(c *k3cloud.Client) error {
				m := poModel("CG-DUP", "VEN0001")
				if _, err := c.Save(ctx, "PUR_PurchaseOrder", m, k3cloud.SaveOptions{}); err != nil {
					return fmt.Errorf("first save: %w", err)
				}
				_, err := c.Save(ctx, "PUR_PurchaseOrder", m, k3cloud.SaveOptions{})
				return err
			}},
		"RequiredField": {reason: "MsgCode 11 names the missing field", want: k3cloud.ErrValidation, msgCode: 11, field: "FSupplierId",
			call: func(c *k3cloud.Client) error {
				m := poModel("", "")
				delete(m, "FSupplierId")
				_, err := c.Save(ctx, "PUR_PurchaseOrder", m, k3cloud.SaveOptions{})
				return err
			}},
		"AuditTwice": {reason: "MsgCode 11 for auditing an audited bill", want: k3cloud.ErrValidation, msgCode: 11,
			call: func(c *k3cloud.Client) error {
				r, err := c.Save(ctx, "PUR_PurchaseOrder", poModel("", "VEN0001"), k3cloud.SaveOptions{AutoSubmitAndAudit: true})
				if err != nil {
					return fmt.Errorf("save: %w", err)
				}
				_, err = c.Audit(ctx, "PUR_PurchaseOrder", []string{r.Number})
				return err
			}},
		"NetworkControl": {reason: "MsgCode 13 is a temporary conflict", fault: &k3cloudtest.Fault{Service: "Save", MsgCode: 13, Message: "网控冲突"},
			want: k3cloud.ErrNetworkControl, msgCode: 13, temporary: true,
			call: func(c *k3cloud.Client) error {
				_, err := c.Save(ctx, "PUR_PurchaseOrder", poModel("", "VEN0001"), k3cloud.SaveOptions{})
				return err
			}},
		"CallLimit": {reason: "MsgCode 14 is a temporary call limit", fault: &k3cloudtest.Fault{Service: "ExecuteBillQuery", MsgCode: 14},
			want: k3cloud.ErrCallLimit, msgCode: 14, temporary: true,
			call: func(c *k3cloud.Client) error { _, err := c.ExecuteBillQuery(ctx, billNoQuery); return err }},
		"HTTP503": {reason: "a 5xx is an HTTP error, temporary", fault: &k3cloudtest.Fault{HTTPStatus: 503, Body: "Service Unavailable"},
			want: k3cloud.ErrHTTP, http: 503, temporary: true,
			call: func(c *k3cloud.Client) error { _, err := c.ExecuteBillQuery(ctx, billNoQuery); return err }},
		"ResponseError": {reason: "a response_error: body is an exception", fault: &k3cloudtest.Fault{ResponseError: "反序列化失败"},
			want: k3cloud.ErrException, msgCode: 4,
			call: func(c *k3cloud.Client) error { _, err := c.ExecuteBillQuery(ctx, billNoQuery); return err }},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			srv, u := startSim(t, k3cloudtest.Options{})
			if tc.fault != nil {
				srv.InjectFault(*tc.fault)
			}
			err := tc.call(newClient(t, u, config.K3CloudAuthSignature))
			if !errors.Is(err, tc.want) {
				t.Fatalf("%s\nerr = %v, want %v", tc.reason, err, tc.want)
			}
			var ke *k3cloud.Error
			if !errors.As(err, &ke) {
				t.Fatalf("%s\nerr %v is not a *k3cloud.Error", tc.reason, err)
			}
			if ke.MsgCode != tc.msgCode || ke.HTTPStatus != tc.http {
				t.Errorf("%s\nMsgCode %d HTTP %d, want %d %d", tc.reason, ke.MsgCode, ke.HTTPStatus, tc.msgCode, tc.http)
			}
			if tc.field != "" && (len(ke.Errors) == 0 || ke.Errors[0].FieldName != tc.field) {
				t.Errorf("%s\nerrors %+v, want FieldName %s", tc.reason, ke.Errors, tc.field)
			}
			if got := k3cloud.Temporary(err); got != tc.temporary {
				t.Errorf("%s\nTemporary = %v, want %v", tc.reason, got, tc.temporary)
			}
		})
	}
}

func poModel(billNo, supplier string) map[string]any {
	m := map[string]any{
		"FBillTypeID": map[string]any{"FNumber": "CGDD01_SYS"}, "FDate": "2025-03-01",
		"FPurchaseOrgId": map[string]any{"FNumber": "100"},
		"FPOOrderEntry":  []any{map[string]any{"FMaterialId": map[string]any{"FNumber": "SKU-1"}, "FQty": 1}},
	}
	if billNo != "" {
		m["FBillNo"] = billNo
	}
	if supplier != "" {
		m["FSupplierId"] = map[string]any{"FNumber": supplier}
	}
	return m
}

func TestBatchSavePartialFailure(t *testing.T) {
	srv, u := startSim(t, k3cloudtest.Options{Suppliers: []string{"VEN0001"}})
	c := newClient(t, u, config.K3CloudAuthSignature)
	models := []any{poModel("", "VEN0001"), poModel("", "VEN0404"), poModel("", "VEN0001")}
	res, err := c.BatchSave(context.Background(), "PUR_PurchaseOrder", models, k3cloud.SaveOptions{})
	var ke *k3cloud.Error
	if !errors.As(err, &ke) || !errors.Is(err, k3cloud.ErrNotExist) {
		t.Fatalf("err = %v, want a *k3cloud.Error of kind ErrNotExist", err)
	}
	if fe := ke.ForIndex(1); len(fe) != 1 || fe[0].FieldName != "FSupplierId" {
		t.Errorf("errors for DIndex 1 = %+v, want one on FSupplierId", fe)
	}
	if len(ke.ForIndex(0)) != 0 || len(ke.ForIndex(2)) != 0 {
		t.Errorf("errors on good records: %+v", ke.Errors)
	}
	var saved []int64
	for _, e := range res.Entities {
		saved = append(saved, int64(e.DIndex))
	}
	if diff := cmp.Diff([]int64{0, 2}, saved); diff != "" {
		t.Errorf("saved DIndex -want +got:\n%s", diff)
	}
	if n := len(srv.PurchaseOrders()); n != 2 {
		t.Errorf("purchase orders in ERP = %d, want 2", n)
	}
}
