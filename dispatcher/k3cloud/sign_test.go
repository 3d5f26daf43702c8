package k3cloud_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/dropship-operator/dropship-operator/dispatcher/k3cloud"
)

func TestLoginSignVectors(t *testing.T) {
	cases := map[string]struct {
		reason                                     string
		alg                                        k3cloud.SignAlgorithm
		acct, user, appID, appSecret, ts, wantSign string
	}{
		"VectorAVerifiedSHA256": {
			reason: "the real capture the server accepted (reference §2.3)",
			alg:    k3cloud.SignSHA256, acct: "6979b9812f3f89", user: "Administrator",
			appID: "354749_36dv7cio6mC5X8zLX/6tUa0M6JSU6sKE", appSecret: "c1f59a3747c94804b6417872f1b272a6",
			ts: "1785990998", wantSign: "0f0b9510ae88409c32bd95a18e759ac07d0be61ea141e4109d22f0e3afb23d8c",
		},
		"VectorBSyntheticSHA256": {
			reason: "the synthetic vector computed in Go and Python",
			alg:    k3cloud.SignSHA256, acct: "64a1b2c3d4e5f6", user: "apiuser",
			appID: "200001_AAECAwQFBgcICQoLDA0ODxAREhMUFRYX", appSecret: "0123456789abcdef0123456789abcdef",
			ts: "1700000000", wantSign: "2406c26b5c78de683c6c80e38e60740f85d59290cf9a9dc863485e2f7149c2c7",
		},
		"VectorBSyntheticSHA1": {
			reason: "old servers only verify SHA-1",
			alg:    k3cloud.SignSHA1, acct: "64a1b2c3d4e5f6", user: "apiuser",
			appID: "200001_AAECAwQFBgcICQoLDA0ODxAREhMUFRYX", appSecret: "0123456789abcdef0123456789abcdef",
			ts: "1700000000", wantSign: "c77dc2b144355667ab55a0f01bc48f467b98507b",
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got := k3cloud.LoginSign(tc.alg, tc.acct, tc.user, tc.appID, tc.appSecret, tc.ts)
			if got != tc.wantSign {
				t.Errorf("%s\nLoginSign() = %s, want %s", tc.reason, got, tc.wantSign)
			}
		})
	}
}

func TestSignatureHeaderVectors(t *testing.T) {
	cases := map[string]struct {
		reason      string
		in          k3cloud.SignatureInput
		wantGateway string
		wantToSign  string
		want        map[string]string
	}{
		"VectorAVerifiedCapture": {
			reason: "headers captured from a request the server accepted (reference §2.5)",
			in: k3cloud.SignatureInput{
				Path:  "/K3Cloud/Kingdee.BOS.WebApi.ServicesStub.DynamicFormService.View.common.kdsvc",
				AppID: "354749_36dv7cio6mC5X8zLX/6tUa0M6JSU6sKE", AppSecret: "c1f59a3747c94804b6417872f1b272a6",
				AcctID: "6979b9812f3f89", Username: "Administrator", LCID: "2052", OrgNum: "",
				Nonce: "00af2d3095054ffc94e80968537c14b2", Timestamp: "1785991012666",
			},
			wantGateway: "75da2a6b01faaf74a82aac880ff13aa3",
			want: map[string]string{
				"X-Api-ClientID":     "354749",
				"X-Api-Auth-Version": "2.0",
				"x-api-timestamp":    "1785991012666",
				"x-api-nonce":        "00af2d3095054ffc94e80968537c14b2",
				"x-api-signheaders":  "x-api-timestamp,x-api-nonce",
				"X-Api-Signature":    "OWVkNTY3MjZkMWE0ZTU4OTJjNzU2N2VhYTllOTYzZGNhNWM5MDQzYmI0YTRlZGYxYmNiNTU0ODUwYjZjMDMxOQ==",
				"X-Kd-Appkey":        "354749_36dv7cio6mC5X8zLX/6tUa0M6JSU6sKE",
				"X-Kd-Appdata":       "Njk3OWI5ODEyZjNmODksQWRtaW5pc3RyYXRvciwyMDUyLA==",
				"X-Kd-Signature":     "MjhhYTkyZjkxMDMwMGQzNjg5ZDg4NmEyOWQ0MGVlMTI1OTkyYzYyMzk4MGZmNWMyNjFjYTMwZGUxZWI3NjZjNg==",
			},
		},
		"VectorBSyntheticPythonStyle": {
			reason: "seconds timestamp used as nonce, OrgNum 0",
			in: k3cloud.SignatureInput{
				Path:  "/k3cloud/Kingdee.BOS.WebApi.ServicesStub.DynamicFormService.ExecuteBillQuery.common.kdsvc",
				AppID: "200001_AAECAwQFBgcICQoLDA0ODxAREhMUFRYX", AppSecret: "0123456789abcdef0123456789abcdef",
				AcctID: "64a1b2c3d4e5f6", Username: "apiuser", LCID: "2052", OrgNum: "0",
				Nonce: "1700000000", Timestamp: "1700000000",
			},
			wantGateway: "MDE3N2I2PzBrPzg4OD45N3IhK3B1InIk",
			wantToSign:  "POST\n%2Fk3cloud%2FKingdee.BOS.WebApi.ServicesStub.DynamicFormService.ExecuteBillQuery.common.kdsvc\n\nx-api-nonce:1700000000\nx-api-timestamp:1700000000\n",
			want: map[string]string{
				"X-Api-ClientID":     "200001",
				"X-Api-Auth-Version": "2.0",
				"x-api-timestamp":    "1700000000",
				"x-api-nonce":        "1700000000",
				"x-api-signheaders":  "x-api-timestamp,x-api-nonce",
				"X-Api-Signature":    "N2M1YmZlZTUyZjc5YTRjMzU0MjkxMWVjODQ0YWEwZjQ0NzQyNWZjZjcwNGFhNzg0MzMxOGI5ZmI4YjNlMzUxOA==",
				"X-Kd-Appkey":        "200001_AAECAwQFBgcICQoLDA0ODxAREhMUFRYX",
				"X-Kd-Appdata":       "NjRhMWIyYzNkNGU1ZjYsYXBpdXNlciwyMDUyLDA=",
				"X-Kd-Signature":     "YzQxNjFmNTdjMGNkMDE0OTBhM2E3Yjk0YzU5YWY4NjMxNDQ3NWUxNTlmYWRjMTM0Mjk4NmMxN2NlNTZmNGRkMw==",
			},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if _, gw := k3cloud.GatewaySecret(tc.in.AppID); gw != tc.wantGateway {
				t.Errorf("%s\nGatewaySecret() = %s, want %s", tc.reason, gw, tc.wantGateway)
			}
			if tc.wantToSign != "" {
				if got := k3cloud.APIStringToSign(tc.in.Path, tc.in.Nonce, tc.in.Timestamp); got != tc.wantToSign {
					t.Errorf("%s\nAPIStringToSign() = %q, want %q", tc.reason, got, tc.wantToSign)
				}
			}
			if diff := cmp.Diff(tc.want, k3cloud.SignatureHeaders(tc.in)); diff != "" {
				t.Errorf("%s\nSignatureHeaders() -want +got:\n%s", tc.reason, diff)
			}
		})
	}
}
