package supplier_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/dropship-operator/dropship-operator/dispatcher/supplier"
)

func TestVerifyCallback(t *testing.T) {
	secret := []byte("cb-secret")
	body := []byte(`{"supplierOrderId":"S-1","trackingNo":"SF123"}`)
	now := time.Unix(1795000000, 0)
	signed := func() http.Header {
		h := http.Header{}
		supplier.SignCallback(h, secret, body, now)
		return h
	}
	cases := map[string]struct {
		reason string
		header func() http.Header
		body   []byte
		at     time.Time
		want   error
	}{
		"valid":           {reason: "a fresh, correctly signed callback passes", header: signed, body: body, at: now},
		"within skew":     {reason: "a little clock skew is fine", header: signed, body: body, at: now.Add(4 * time.Minute)},
		"stale":           {reason: "an old callback is a replay", header: signed, body: body, at: now.Add(6 * time.Minute), want: supplier.ErrTimestampStale},
		"future":          {reason: "a callback from the future is refused", header: signed, body: body, at: now.Add(-6 * time.Minute), want: supplier.ErrTimestampStale},
		"tampered body":   {reason: "any change to the body breaks the signature", header: signed, body: []byte(`{"supplierOrderId":"S-2","trackingNo":"SF123"}`), at: now, want: supplier.ErrSignatureMismatch},
		"missing headers": {reason: "unsigned callbacks are refused", header: func() http.Header { return http.Header{} }, body: body, at: now, want: supplier.ErrSignatureMissing},
		"wrong secret": {reason: "a signature with another key fails", header: func() http.Header {
			h := http.Header{}
			supplier.SignCallback(h, []byte("other"), body, now)
			return h
		}, body: body, at: now, want: supplier.ErrSignatureMismatch},
		"bad timestamp": {reason: "a non-numeric timestamp is stale", header: func() http.Header {
			h := signed()
			h.Set(supplier.HeaderTimestamp, "yesterday")
			return h
		}, body: body, at: now, want: supplier.ErrTimestampStale},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			err := supplier.VerifyCallback(secret, tc.header(), tc.body, tc.at)
			if !errors.Is(err, tc.want) || (tc.want == nil) != (err == nil) {
				t.Errorf("%s: err = %v, want %v", tc.reason, err, tc.want)
			}
		})
	}
}

// TestSignCallbackWireFormat pins the documented scheme with an independent computation.
func TestSignCallbackWireFormat(t *testing.T) {
	body := []byte(`{"trackingNo":"X"}`)
	now := time.Unix(1795000000, 0)
	h := http.Header{}
	supplier.SignCallback(h, []byte("k"), body, now)
	sum := sha256.Sum256(body)
	mac := hmac.New(sha256.New, []byte("k"))
	mac.Write([]byte(strconv.FormatInt(now.Unix(), 10) + "\n" + hex.EncodeToString(sum[:])))
	if got, want := h.Get(supplier.HeaderSignature), "sha256="+hex.EncodeToString(mac.Sum(nil)); got != want {
		t.Errorf("signature = %q, want %q", got, want)
	}
}

func TestParseCallback(t *testing.T) {
	cases := map[string]struct {
		body    string
		want    supplier.Callback
		wantErr bool
	}{
		"full": {
			body: `{"supplierOrderId":"S-1","idempotencyKey":"dso-1","trackingNo":"SF1","carrier":"SF","shippedAt":"2026-11-24T03:00:00Z","extra":1}`,
			want: supplier.Callback{SupplierOrderID: "S-1", IdempotencyKey: "dso-1", TrackingNo: "SF1", Carrier: "SF", ShippedAt: time.Date(2026, 11, 24, 3, 0, 0, 0, time.UTC)},
		},
		"key only":       {body: `{"idempotencyKey":"dso-1","trackingNo":"SF1"}`, want: supplier.Callback{IdempotencyKey: "dso-1", TrackingNo: "SF1"}},
		"no tracking":    {body: `{"supplierOrderId":"S-1"}`, wantErr: true},
		"no order id":    {body: `{"trackingNo":"SF1"}`, wantErr: true},
		"not json":       {body: `tracking=SF1`, wantErr: true},
		"wrong types":    {body: `{"supplierOrderId":1,"trackingNo":"SF1"}`, wantErr: true},
		"bad time":       {body: `{"supplierOrderId":"S","trackingNo":"SF1","shippedAt":"today"}`, wantErr: true},
		"blank tracking": {body: `{"supplierOrderId":"S","trackingNo":"  "}`, wantErr: true},
		"invalid utf8":   {body: "{\"supplierOrderId\":\"S\",\"trackingNo\":\"\xff\"}", want: supplier.Callback{SupplierOrderID: "S", TrackingNo: "\ufffd"}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got, err := supplier.ParseCallback([]byte(tc.body))
			if (err != nil) != tc.wantErr {
				t.Fatalf("err = %v, wantErr %v", err, tc.wantErr)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("callback mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func FuzzParseCallback(f *testing.F) {
	f.Add([]byte(`{"supplierOrderId":"S-1","trackingNo":"SF1","shippedAt":"2026-11-24T03:00:00Z"}`))
	f.Add([]byte(`{"idempotencyKey":"k","trackingNo":"t","carrier":"顺丰"}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, body []byte) {
		c, err := supplier.ParseCallback(body)
		if err != nil {
			return
		}
		if c.TrackingNo == "" || (c.SupplierOrderID == "" && c.IdempotencyKey == "") {
			t.Fatalf("ParseCallback accepted %q without the required fields: %+v", body, c)
		}
	})
}
