package k3cloud_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/dropship-operator/dropship-operator/dispatcher/config"
	"github.com/dropship-operator/dropship-operator/dispatcher/k3cloud"
	"github.com/dropship-operator/dropship-operator/dispatcher/k3cloud/k3cloudtest"
)

var billNoQuery = k3cloud.Query{FormID: "SAL_SaleOrder", FieldKeys: []string{"FBillNo"}, OrderString: "FID ASC"}

func billNos(rows []k3cloud.Row) []string {
	out := make([]string, len(rows))
	for i, r := range rows {
		out[i] = r.String(0)
	}
	return out
}

func TestAuthModes(t *testing.T) {
	cases := map[string]struct {
		reason     string
		mode       config.K3CloudAuthMode
		sim        k3cloudtest.Options
		wantLogins map[string]int
	}{
		"Signature":      {"per-request headers, no login call", config.K3CloudAuthSignature, k3cloudtest.Options{}, map[string]int{}},
		"AppSecret":      {"LoginByAppSecret once", config.K3CloudAuthAppSecret, k3cloudtest.Options{}, map[string]int{"LoginByAppSecret": 1}},
		"Sign":           {"LoginBySign with SHA-256", config.K3CloudAuthSign, k3cloudtest.Options{}, map[string]int{"LoginBySign": 1}},
		"SignSHA1Server": {"an old server refuses SHA-256; the client falls back to SHA-1", config.K3CloudAuthSign, k3cloudtest.Options{SHA1Only: true}, map[string]int{"LoginBySign": 2}},
		"Password":       {"ValidateUser once", config.K3CloudAuthPassword, k3cloudtest.Options{}, map[string]int{"ValidateUser": 1}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			srv, u := startSim(t, tc.sim)
			want, err := srv.SeedSalesOrders(k3cloudtest.SeedOptions{Orders: 5, Seed: 1, MaxLines: 1})
			if err != nil {
				t.Fatal(err)
			}
			c := newClient(t, u, tc.mode)
			for range 2 {
				rows, err := c.ExecuteBillQuery(context.Background(), billNoQuery)
				if err != nil {
					t.Fatalf("%s\nExecuteBillQuery: %v", tc.reason, err)
				}
				if diff := cmp.Diff(want, billNos(rows)); diff != "" {
					t.Errorf("%s\nrows -want +got:\n%s", tc.reason, diff)
				}
			}
			calls := srv.Calls()
			got := map[string]int{}
			for _, svc := range []string{"ValidateUser", "LoginByAppSecret", "LoginBySign"} {
				if calls[svc] > 0 {
					got[svc] = calls[svc]
				}
			}
			if diff := cmp.Diff(tc.wantLogins, got); diff != "" {
				t.Errorf("%s\nlogin calls -want +got:\n%s", tc.reason, diff)
			}
		})
	}
}

func TestBadCredentials(t *testing.T) {
	cases := map[string]struct {
		reason string
		mode   config.K3CloudAuthMode
		key    string
		want   error
	}{
		"Signature": {"a refused signature is MsgCode 1 (reference §2.6)", config.K3CloudAuthSignature, config.SecretKeyAppSecret, k3cloud.ErrSessionLost},
		"AppSecret": {"LoginByAppSecret refused", config.K3CloudAuthAppSecret, config.SecretKeyAppSecret, k3cloud.ErrLogin},
		"Sign":      {"LoginBySign refused with both digests", config.K3CloudAuthSign, config.SecretKeyAppSecret, k3cloud.ErrLogin},
		"Password":  {"ValidateUser refused", config.K3CloudAuthPassword, config.SecretKeyPassword, k3cloud.ErrLogin},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			_, u := startSim(t, k3cloudtest.Options{})
			creds := defaultCreds()
			creds[tc.key] = "ffffffffffffffffffffffffffffffff"
			c, err := k3cloud.New(connFor(t, u, tc.mode, creds), k3cloud.Options{})
			if err != nil {
				t.Fatal(err)
			}
			_, err = c.ExecuteBillQuery(context.Background(), billNoQuery)
			if !errors.Is(err, tc.want) {
				t.Fatalf("%s\nerr = %v, want %v", tc.reason, err, tc.want)
			}
			if msg := err.Error(); containsAny(msg, "ffffffffffffffffffffffffffffffff", k3cloudtest.DefaultAppSecret) {
				t.Errorf("error leaks a credential: %s", msg)
			}
		})
	}
}

func containsAny(s string, subs ...string) bool {
	for _, x := range subs {
		if x != "" && strings.Contains(s, x) {
			return true
		}
	}
	return false
}

func TestMissingCredentialFile(t *testing.T) {
	creds := defaultCreds()
	delete(creds, config.SecretKeyAppSecret)
	_, err := k3cloud.New(connFor(t, "http://127.0.0.1:1/k3cloud/", config.K3CloudAuthSignature, creds), k3cloud.Options{})
	if err == nil {
		t.Fatal("New with a missing appSecret file succeeded")
	}
}

// TestSessionExpiryMidRun expires the session between calls: reads log in again once and
// succeed; a write comes back as ErrSessionLost (never replayed) and the next call works.
func TestSessionExpiryMidRun(t *testing.T) {
	for _, mode := range []config.K3CloudAuthMode{config.K3CloudAuthPassword, config.K3CloudAuthSign, config.K3CloudAuthSignature} {
		t.Run(string(mode), func(t *testing.T) {
			srv, u := startSim(t, k3cloudtest.Options{})
			if _, err := srv.SeedSalesOrders(k3cloudtest.SeedOptions{Orders: 3, Seed: 2}); err != nil {
				t.Fatal(err)
			}
			c := newClient(t, u, mode)
			ctx := context.Background()
			if _, err := c.ExecuteBillQuery(ctx, billNoQuery); err != nil {
				t.Fatal(err)
			}
			srv.ExpireSessions()
			rows, err := c.ExecuteBillQuery(ctx, billNoQuery)
			if err != nil || len(rows) != 3 {
				t.Fatalf("read after expiry: %d rows, %v", len(rows), err)
			}
			srv.ExpireSessions()
			_, err = c.Submit(ctx, "SAL_SaleOrder", []string{"XSDD999999"})
			if mode == config.K3CloudAuthSignature {
				// Signature mode re-authenticates every request by its headers: expiry is invisible.
				if errors.Is(err, k3cloud.ErrSessionLost) {
					t.Fatalf("signature mode saw the expiry: %v", err)
				}
			} else if !errors.Is(err, k3cloud.ErrSessionLost) {
				t.Fatalf("write after expiry: err = %v, want ErrSessionLost", err)
			}
			if _, err := c.ExecuteBillQuery(ctx, billNoQuery); err != nil {
				t.Fatalf("read after the failed write: %v", err)
			}
		})
	}
}

// TestSlidingIdleTimeout uses the server clock: a session used within the idle timeout
// lives on; one idle for longer is gone.
func TestSlidingIdleTimeout(t *testing.T) {
	now := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	srv, u := startSim(t, k3cloudtest.Options{SessionIdle: 20 * time.Minute, Now: clock})
	c := newClient(t, u, config.K3CloudAuthPassword)
	ctx := context.Background()
	for _, step := range []time.Duration{0, 15 * time.Minute, 15 * time.Minute, 21 * time.Minute} {
		now = now.Add(step)
		if _, err := c.ExecuteBillQuery(ctx, billNoQuery); err != nil {
			t.Fatal(err)
		}
	}
	if got := srv.CallCount("ValidateUser"); got != 2 {
		t.Errorf("ValidateUser calls = %d, want 2 (one at start, one after 21 idle minutes)", got)
	}
}

func TestPaging25000Rows(t *testing.T) {
	srv, u := startSim(t, k3cloudtest.Options{MaxLimit: 2000})
	want, err := srv.SeedSalesOrders(k3cloudtest.SeedOptions{Orders: 25000, Seed: 3, MaxLines: 1})
	if err != nil {
		t.Fatal(err)
	}
	c := newClient(t, u, config.K3CloudAuthSignature)
	srv.ResetCalls()
	rows, err := c.QueryAll(context.Background(), billNoQuery, 2000)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, billNos(rows)); diff != "" {
		t.Errorf("rows differ (-want +got):\n%.2000s", diff)
	}
	if got := srv.CallCount("ExecuteBillQuery"); got != 13 {
		t.Errorf("ExecuteBillQuery calls = %d, want 13 (12 full pages and one of 1000)", got)
	}
}

func TestPagingPitfalls(t *testing.T) {
	cases := map[string]struct {
		reason   string
		maxLimit int
		pageSize int
		top      int
		want     int
	}{
		"TopRowCountIsClientSide": {"TopRowCount 4500 with pages of 2000 gives 4500 rows, not 2000", 2000, 2000, 4500, 4500},
		"ServerClampsLimit":       {"pages of 10000 asked, server max 2000: the scan goes on", 2000, 10000, 0, 5000},
		"SmallPages":              {"pages of 999", 2000, 999, 0, 5000},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			srv, u := startSim(t, k3cloudtest.Options{MaxLimit: tc.maxLimit})
			if _, err := srv.SeedSalesOrders(k3cloudtest.SeedOptions{Orders: 5000, Seed: 4, MaxLines: 1}); err != nil {
				t.Fatal(err)
			}
			c := newClient(t, u, config.K3CloudAuthSignature)
			q := billNoQuery
			q.TopRowCount = tc.top
			rows, err := c.QueryAll(context.Background(), q, tc.pageSize)
			if err != nil {
				t.Fatal(err)
			}
			if len(rows) != tc.want {
				t.Errorf("%s\nrows = %d, want %d", tc.reason, len(rows), tc.want)
			}
			seen := map[string]bool{}
			for _, r := range rows {
				if seen[r.String(0)] {
					t.Fatalf("%s\nrow %s twice", tc.reason, r.String(0))
				}
				seen[r.String(0)] = true
			}
		})
	}
}

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

func TestConcurrencyCap(t *testing.T) {
	srv, u := startSim(t, k3cloudtest.Options{Latency: 20 * time.Millisecond})
	conn := connFor(t, u, config.K3CloudAuthSignature, defaultCreds())
	conn.MaxConcurrent = 2
	c, err := k3cloud.New(conn, k3cloud.Options{})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	errs := make(chan error, 6)
	for range 6 {
		go func() { _, err := c.ExecuteBillQuery(context.Background(), billNoQuery); errs <- err }()
	}
	for range 6 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	// 6 calls of 20 ms, 2 at a time, cannot take less than 3 × 20 ms.
	if d := time.Since(start); d < 60*time.Millisecond {
		t.Errorf("6 calls with MaxConcurrent 2 took %v, less than 60ms", d)
	}
	if srv.CallCount("ExecuteBillQuery") != 6 {
		t.Errorf("calls = %d", srv.CallCount("ExecuteBillQuery"))
	}
}

// TestQueryCacheSeesChanges: the simulator caches the last query's rows for paging; any
// change to the data must show in the next answer to the same query.
func TestQueryCacheSeesChanges(t *testing.T) {
	srv, u := startSim(t, k3cloudtest.Options{})
	c := newClient(t, u, config.K3CloudAuthSignature)
	ctx := context.Background()
	count := func() int {
		rows, err := c.ExecuteBillQuery(ctx, billNoQuery)
		if err != nil {
			t.Fatal(err)
		}
		return len(rows)
	}
	if n := count(); n != 0 {
		t.Fatalf("rows = %d", n)
	}
	if _, _, err := srv.AddSalesOrder(k3cloudtest.SalesOrder{Address: "北京市1号", Lines: []k3cloudtest.SalesLine{{SKU: "A", Qty: 1}}}); err != nil {
		t.Fatal(err)
	}
	if n := count(); n != 1 {
		t.Errorf("rows after AddSalesOrder = %d, want 1", n)
	}
	if _, err := c.Save(ctx, "SAL_SaleOrder", map[string]any{"FSaleOrgId": map[string]any{"FNumber": "100"},
		"FCustId": map[string]any{"FNumber": "C1"}, "FDate": "2025-03-01",
		"FSaleOrderEntry": []any{map[string]any{"FMaterialId": map[string]any{"FNumber": "A"}, "FQty": 1}}}, k3cloud.SaveOptions{}); err != nil {
		t.Fatal(err)
	}
	if n := count(); n != 2 {
		t.Errorf("rows after Save = %d, want 2", n)
	}
}
