package k3cloudtest_test

import (
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/dropship-operator/dropship-operator/dispatcher/k3cloud"
	"github.com/dropship-operator/dropship-operator/dispatcher/k3cloud/k3cloudtest"
)

const (
	svcQuery = "Kingdee.BOS.WebApi.ServicesStub.DynamicFormService.ExecuteBillQuery.common.kdsvc"
	svcSave  = "Kingdee.BOS.WebApi.ServicesStub.DynamicFormService.Save.common.kdsvc"
)

func start(t *testing.T, opts k3cloudtest.Options) (*k3cloudtest.Server, string) {
	t.Helper()
	srv := k3cloudtest.NewServer(opts)
	u, err := srv.Start()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	return srv, u
}

type answer struct {
	status  int
	body    string
	cookies []*http.Cookie
}

func post(t *testing.T, url string, header map[string]string, body string) answer {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return answer{status: resp.StatusCode, body: string(b), cookies: resp.Cookies()}
}

func sessionCookie(t *testing.T, a answer) string {
	t.Helper()
	for _, c := range a.cookies {
		if c.Name == k3cloud.SessionCookie {
			return c.Value
		}
	}
	t.Fatalf("no %s cookie in answer %s", k3cloud.SessionCookie, a.body)
	return ""
}

func seed(t *testing.T, srv *k3cloudtest.Server, n int) []string {
	t.Helper()
	nums, err := srv.SeedSalesOrders(k3cloudtest.SeedOptions{Orders: n, Seed: 7})
	if err != nil {
		t.Fatal(err)
	}
	return nums
}

// TestJavaSDKShape sends what the official Java SDK sends: signature headers, positional
// string array, and the literal "applicatin/json" content type.
func TestJavaSDKShape(t *testing.T) {
	srv, base := start(t, k3cloudtest.Options{})
	nums := seed(t, srv, 3)
	u := base + svcQuery
	ts := strconv.FormatInt(time.Now().UnixMilli(), 10)
	h := k3cloud.SignatureHeaders(k3cloud.SignatureInput{
		Path: "/k3cloud/" + svcQuery, AppID: k3cloudtest.DefaultAppID, AppSecret: k3cloudtest.DefaultAppSecret,
		AcctID: k3cloudtest.DefaultAcctID, Username: k3cloudtest.DefaultUsername, LCID: "2052", OrgNum: "null",
		Nonce: ts, Timestamp: ts,
	})
	h["Content-type"] = "applicatin/json"
	data := `{\"FormId\":\"SAL_SaleOrder\",\"FieldKeys\":\"FBillNo\",\"FilterString\":\"\",\"OrderString\":\"FID ASC\",\"TopRowCount\":0,\"StartRow\":0,\"Limit\":0}`
	a := post(t, u, h, `{"parameters":["`+data+`"]}`)
	if a.status != http.StatusOK {
		t.Fatalf("status %d: %s", a.status, a.body)
	}
	var rows [][]string
	if err := json.Unmarshal([]byte(a.body), &rows); err != nil {
		t.Fatalf("answer %s: %v", a.body, err)
	}
	want := [][]string{{nums[0]}, {nums[1]}, {nums[2]}}
	if diff := cmp.Diff(want, rows); diff != "" {
		t.Errorf("rows -want +got:\n%s", diff)
	}
	sid := sessionCookie(t, a)

	// The Java SDK then replays the session in Cookie and SID; the signature is not checked.
	a = post(t, u, map[string]string{"SID": sid, "Content-type": "applicatin/json"}, `{"parameters":["`+data+`"]}`)
	if !strings.HasPrefix(a.body, "[[\"XSDD") {
		t.Errorf("with SID header: %s", a.body)
	}

	// A wrong signature without a session is MsgCode 1, wrapped as rows.
	h["X-Kd-Signature"] = "bad"
	a = post(t, u, h, `{"parameters":["`+data+`"]}`)
	if !strings.HasPrefix(a.body, "[[{") || !strings.Contains(a.body, `"MsgCode":1`) {
		t.Errorf("bad signature answer: %s", a.body)
	}
}

func TestSignatureWrongAcctIsHTTPFailure(t *testing.T) {
	_, base := start(t, k3cloudtest.Options{})
	h := k3cloud.SignatureHeaders(k3cloud.SignatureInput{
		Path: "/k3cloud/" + svcQuery, AppID: k3cloudtest.DefaultAppID, AppSecret: k3cloudtest.DefaultAppSecret,
		AcctID: "ffffffffffffff", Username: k3cloudtest.DefaultUsername, LCID: "2052", Nonce: "1", Timestamp: "1",
	})
	a := post(t, base+svcQuery, h, `{"parameters":["{}"]}`)
	if a.status == http.StatusOK || !strings.Contains(a.body, "Fail to verify thirty passport") {
		t.Errorf("got %d %s, want a non-200 'Fail to verify thirty passport'", a.status, a.body)
	}
}

// TestPythonSDKShape logs in with the named form, then queries with a JSON object as data
// and the kdservice-sessionid header.
func TestPythonSDKShape(t *testing.T) {
	srv, base := start(t, k3cloudtest.Options{})
	nums := seed(t, srv, 2)
	a := post(t, base+"Kingdee.BOS.WebApi.ServicesStub.AuthService.ValidateUser.common.kdsvc",
		map[string]string{"Content-Type": "application/json"},
		`{"acctID":"`+k3cloudtest.DefaultAcctID+`","username":"apiuser","password":"P@ssw0rd","lcid":"2052"}`)
	var lr struct {
		LoginResultType int
		KDSVCSessionId  string
		Context         struct{ SessionId string }
		IsSuccessByAPI  bool
	}
	if err := json.Unmarshal([]byte(a.body), &lr); err != nil || lr.LoginResultType != 1 || !lr.IsSuccessByAPI {
		t.Fatalf("login answer %s (%v)", a.body, err)
	}
	if lr.KDSVCSessionId == "" || lr.KDSVCSessionId != lr.Context.SessionId || lr.KDSVCSessionId != sessionCookie(t, a) {
		t.Errorf("session ids disagree: %s", a.body)
	}
	a = post(t, base+"Kingdee.BOS.WebApi.ServicesStub.DynamicFormService.BillQuery.common.kdsvc",
		map[string]string{"kdservice-sessionid": lr.KDSVCSessionId},
		`{"data":{"FormId":"SAL_SaleOrder","FieldKeys":"FBillNo,FDocumentStatus","FilterString":[{"Left":"(","FieldName":"FBillNo","Compare":"67","Value":"`+nums[1]+`","Right":")","Logic":"0"},{"FieldName":"FDocumentStatus","Compare":"StatusEqualto","Value":"C"}],"Limit":10}}`)
	var rows []map[string]any
	if err := json.Unmarshal([]byte(a.body), &rows); err != nil {
		t.Fatalf("answer %s: %v", a.body, err)
	}
	want := []map[string]any{{"FBillNo": nums[1], "FDocumentStatus": "C"}}
	if diff := cmp.Diff(want, rows); diff != "" {
		t.Errorf("rows -want +got:\n%s", diff)
	}
}

// TestStringEncodedEnvelope logs in with LoginBySign the way YiKdWebClient does and saves a
// purchase order with the string-encoded array carrying format/useragent/rid.
func TestStringEncodedEnvelope(t *testing.T) {
	srv, base := start(t, k3cloudtest.Options{})
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	sign := k3cloud.LoginSign(k3cloud.SignSHA256, k3cloudtest.DefaultAcctID, "apiuser", k3cloudtest.DefaultAppID, k3cloudtest.DefaultAppSecret, ts)
	params, _ := json.Marshal([]string{k3cloudtest.DefaultAcctID, "apiuser", k3cloudtest.DefaultAppID, ts, sign, "2052"})
	body, _ := json.Marshal(map[string]any{"parameters": string(params)})
	a := post(t, base+"Kingdee.BOS.WebApi.ServicesStub.AuthService.LoginBySign.common.kdsvc", nil, string(body))
	sid := sessionCookie(t, a)
	model := `{"Model":{"FBillTypeID":{"FNUMBER":"CGDD01_SYS"},"FDate":"2025-03-01","FSupplierId":{"FNumber":"VEN0001"},"FPurchaseOrgId":{"FNumber":"100"},"FPOOrderEntry":[{"FMaterialId":{"FNumber":"SKU-1001"},"FQty":2,"FTaxPrice":56.5,"FDEMANDBILLNO":"XSDD000001","FDEMANDBILLENTRYID":200001}]}}`
	params, _ = json.Marshal([]string{"PUR_PurchaseOrder", model})
	body, _ = json.Marshal(map[string]any{"format": 1, "useragent": "ApiClient", "rid": "72980188", "parameters": string(params),
		"timestamp": "2026-08-06T12:36:38.9864758+08:00", "v": "1.0"})
	a = post(t, base+svcSave, map[string]string{"Cookie": "Theme=standard; kdservice-sessionid=" + sid}, string(body))
	var res struct {
		Result struct {
			ResponseStatus struct {
				IsSuccess      bool
				SuccessEntitys []struct {
					ID     int64 `json:"Id"`
					Number string
				}
			}
			ID     int64 `json:"Id"`
			Number string
		}
	}
	if err := json.Unmarshal([]byte(a.body), &res); err != nil || !res.Result.ResponseStatus.IsSuccess {
		t.Fatalf("save answer %s (%v)", a.body, err)
	}
	if res.Result.Number != "CGDD000001" || res.Result.ID == 0 {
		t.Errorf("saved %d %q, want an id and CGDD000001", res.Result.ID, res.Result.Number)
	}
	pos := srv.PurchaseOrders()
	if len(pos) != 1 || pos[0].Status != "A" || pos[0].EntryText(0, "FDEMANDBILLNO") != "XSDD000001" {
		t.Errorf("purchase orders = %+v", pos)
	}
}

func TestRouting(t *testing.T) {
	_, base := start(t, k3cloudtest.Options{})
	root := strings.TrimSuffix(base, "k3cloud/")
	cases := map[string]struct {
		reason string
		method string
		path   string
		want   int
	}{
		"CaseInsensitive": {"IIS matches service names without case", http.MethodPost, "K3Cloud/kingdee.bos.webapi.servicesstub.dynamicformservice.executebillquery.COMMON.KDSVC", http.StatusOK},
		"ExecuteSpelling": {"the manual's spelling of ExcuteOperation is routed too", http.MethodPost, "k3cloud/Kingdee.BOS.WebApi.ServicesStub.DynamicFormService.ExecuteOperation.common.kdsvc", http.StatusOK},
		"UnknownService":  {"unknown services are 404", http.MethodPost, "k3cloud/Kingdee.BOS.WebApi.ServicesStub.DynamicFormService.Nope.common.kdsvc", http.StatusNotFound},
		"NotKdsvc":        {"other paths are 404", http.MethodPost, "k3cloud/index.html", http.StatusNotFound},
		"GetIs405":        {"only POST", http.MethodGet, "k3cloud/" + svcQuery, http.StatusMethodNotAllowed},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			req, _ := http.NewRequest(tc.method, root+tc.path, strings.NewReader(`{"parameters":[]}`))
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tc.want {
				t.Errorf("%s\nstatus = %d, want %d", tc.reason, resp.StatusCode, tc.want)
			}
		})
	}
}
