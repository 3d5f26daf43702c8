package k3cloudtest_test

import (
	"encoding/json"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/dropship-operator/dropship-operator/dispatcher/k3cloud"
	"github.com/dropship-operator/dropship-operator/dispatcher/k3cloud/k3cloudtest"
)

func TestSeedIsDeterministicAndRealistic(t *testing.T) {
	start := time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)
	opts := k3cloudtest.SeedOptions{Orders: 200, Seed: 42, Start: start, Span: 24 * time.Hour, NotDropShipEvery: 10}
	a, b := k3cloudtest.NewServer(k3cloudtest.Options{}), k3cloudtest.NewServer(k3cloudtest.Options{})
	if _, err := a.SeedSalesOrders(opts); err != nil {
		t.Fatal(err)
	}
	if _, err := b.SeedSalesOrders(opts); err != nil {
		t.Fatal(err)
	}
	ba, bb := a.Bills("SAL_SaleOrder"), b.Bills("SAL_SaleOrder")
	if diff := cmp.Diff(ba, bb); diff != "" {
		t.Fatalf("same seed, different orders:\n%.1500s", diff)
	}
	provinces := map[string]bool{}
	dropShip := 0
	for _, so := range ba {
		p, _, _, ok := k3cloud.ParseAddress(so.Text("FReceiveAddress"))
		if !ok {
			t.Errorf("%s: address %q has no province", so.Number, so.Text("FReceiveAddress"))
		}
		provinces[p] = true
		if so.Status != "C" || len(so.Entries) == 0 || len(so.Text("FLinkPhone")) != 11 {
			t.Errorf("%s: status %s, %d lines, phone %q", so.Number, so.Status, len(so.Entries), so.Text("FLinkPhone"))
		}
		if so.Text("F_DropShip") == "1" {
			dropShip++
		}
	}
	if len(provinces) < 10 {
		t.Errorf("only %d provinces in 200 orders", len(provinces))
	}
	if dropShip != 180 {
		t.Errorf("drop-ship orders = %d, want 180 (every 10th is not)", dropShip)
	}
	first, last := ba[0].Head["FApproveDate"].(time.Time), ba[len(ba)-1].Head["FApproveDate"].(time.Time)
	if last.Sub(first) < 23*time.Hour {
		t.Errorf("approve dates span %v, want about 24h", last.Sub(first))
	}
	c := k3cloudtest.NewServer(k3cloudtest.Options{})
	opts.Seed = 43
	if _, err := c.SeedSalesOrders(opts); err != nil {
		t.Fatal(err)
	}
	if cmp.Equal(ba, c.Bills("SAL_SaleOrder")) {
		t.Error("another seed gave the same orders")
	}
}

func TestLoginBySignTimestampWindow(t *testing.T) {
	_, base := start(t, k3cloudtest.Options{SignWindow: 15 * time.Minute})
	for name, tc := range map[string]struct {
		age  time.Duration
		want int
	}{"Fresh": {0, 1}, "Stale": {time.Hour, 0}, "Future": {-time.Hour, 0}} {
		t.Run(name, func(t *testing.T) {
			ts := strconv.FormatInt(time.Now().Add(-tc.age).Unix(), 10)
			sign := k3cloud.LoginSign(k3cloud.SignSHA256, k3cloudtest.DefaultAcctID, "apiuser", k3cloudtest.DefaultAppID, k3cloudtest.DefaultAppSecret, ts)
			body, _ := json.Marshal(map[string]any{"acctID": k3cloudtest.DefaultAcctID, "username": "apiuser",
				"appId": k3cloudtest.DefaultAppID, "timestamp": ts, "sign": sign, "lcid": 2052})
			a := post(t, base+"Kingdee.BOS.WebApi.ServicesStub.AuthService.LoginBySign.common.kdsvc", nil, string(body))
			var lr struct{ LoginResultType int }
			if err := json.Unmarshal([]byte(a.body), &lr); err != nil || lr.LoginResultType != tc.want {
				t.Errorf("LoginResultType = %d (%v), want %d: %s", lr.LoginResultType, err, tc.want, a.body)
			}
		})
	}
}

func TestVerifyAPISignature(t *testing.T) {
	_, base := start(t, k3cloudtest.Options{VerifyAPISignature: true})
	u := base + svcQuery
	in := k3cloud.SignatureInput{Path: "/k3cloud/" + svcQuery, AppID: k3cloudtest.DefaultAppID, AppSecret: k3cloudtest.DefaultAppSecret,
		AcctID: k3cloudtest.DefaultAcctID, Username: "apiuser", LCID: "2052", OrgNum: "0", Nonce: "n1", Timestamp: "1700000000"}
	data := `{"parameters":["{\"FormId\":\"SAL_SaleOrder\",\"FieldKeys\":\"FBillNo\"}"]}`
	if a := post(t, u, k3cloud.SignatureHeaders(in), data); a.body != "[]" {
		t.Errorf("good gateway signature: %s", a.body)
	}
	h := k3cloud.SignatureHeaders(in)
	h["X-Api-Signature"] = k3cloud.KDHMAC("tampered", "x")
	if a := post(t, u, h, data); !strings.Contains(a.body, `"MsgCode":1`) {
		t.Errorf("tampered gateway signature: %s", a.body)
	}
}

func TestFormURLEncodedAndLogout(t *testing.T) {
	_, base := start(t, k3cloudtest.Options{})
	form := url.Values{"data": {`{"acctID":"` + k3cloudtest.DefaultAcctID + `","username":"apiuser","password":"P@ssw0rd","lcid":2052}`}}
	a := post(t, base+"Kingdee.BOS.WebApi.ServicesStub.AuthService.ValidateUser.common.kdsvc",
		map[string]string{"Content-Type": "application/x-www-form-urlencoded"}, form.Encode())
	sid := sessionCookie(t, a)
	cookie := map[string]string{"Cookie": k3cloud.SessionCookie + "=" + sid}
	data := `{"parameters":["{\"FormId\":\"SAL_SaleOrder\",\"FieldKeys\":\"FBillNo\"}"]}`
	if a := post(t, base+svcQuery, cookie, data); a.body != "[]" {
		t.Fatalf("query with the session: %s", a.body)
	}
	if a := post(t, base+"Kingdee.BOS.WebApi.ServicesStub.AuthService.Logout.common.kdsvc", cookie, ""); a.body != "true" {
		t.Errorf("logout: %s", a.body)
	}
	if a := post(t, base+svcQuery, cookie, data); !strings.Contains(a.body, `"MsgCode":1`) {
		t.Errorf("query after logout: %s", a.body)
	}
}
