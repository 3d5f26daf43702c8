package supplier

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestBoolExpr(t *testing.T) {
	cases := map[string]struct {
		reason  string
		expr    string
		body    string
		want    bool
		wantErr bool
	}{
		"top-level key":        {reason: "top-level keys are variables", expr: "code == 0", body: `{"code":0}`, want: true},
		"top-level key false":  {reason: "a non-zero code is not accepted", expr: "code == 0", body: `{"code":1001}`, want: false},
		"missing key is null":  {reason: "a missing key is null, not an error", expr: "code == 0", body: `{"msg":"x"}`, want: false},
		"body binding":         {reason: "body is the whole answer", expr: `body.data.status == "OK"`, body: `{"data":{"status":"OK"}}`, want: true},
		"nested select":        {reason: "selecting into a top-level key", expr: `data.accepted && size(data.items) == 2`, body: `{"data":{"accepted":true,"items":[1,2]}}`, want: true},
		"double":               {reason: "fractions stay doubles", expr: `rate > 0.5`, body: `{"rate":0.75}`, want: true},
		"macro":                {reason: "comprehension variables do not break binding", expr: `items.all(i, i.ok)`, body: `{"items":[{"ok":true},{"ok":true}]}`, want: true},
		"array answer":         {reason: "a non-object answer binds only body", expr: `size(body) == 1`, body: `[1]`, want: true},
		"missing nested field": {reason: "selecting a missing field is an evaluation error", expr: `body.data.status == "OK"`, body: `{}`, wantErr: true},
		"non-bool result":      {reason: "dyn results must still be bool", expr: `code`, body: `{"code":1}`, wantErr: true},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			e, err := compileBool(tc.expr)
			if err != nil {
				t.Fatalf("compile: %v", err)
			}
			body, err := decodeJSON([]byte(tc.body))
			if err != nil {
				t.Fatal(err)
			}
			got, err := e.Eval(body)
			if (err != nil) != tc.wantErr {
				t.Fatalf("%s: err = %v, wantErr %v", tc.reason, err, tc.wantErr)
			}
			if got != tc.want {
				t.Errorf("%s: got %v, want %v", tc.reason, got, tc.want)
			}
		})
	}
}

func TestCompileBoolRefuses(t *testing.T) {
	for _, src := range []string{"code ==", `"a" + 1`, `1 + 2`} {
		if _, err := compileBool(src); err == nil {
			t.Errorf("compileBool(%q) succeeded, want an error", src)
		}
	}
	if e, err := compileBool("  "); e != nil || err != nil {
		t.Errorf("empty expression: got %v, %v; want nil, nil", e, err)
	}
}

func TestStringAt(t *testing.T) {
	body, err := decodeJSON([]byte(`{"data":{"order_id":12345678901234567,"items":[{"id":"a"},{"id":"b"}],"ok":true,"f":1.5}}`))
	if err != nil {
		t.Fatal(err)
	}
	cases := map[string]string{
		"data.order_id":    "12345678901234567",
		"data.items.1.id":  "b",
		"data.items[0].id": "a",
		"data.ok":          "true",
		"data.f":           "1.5",
		"data.items.9.id":  "",
		"data.nope":        "",
		"data.items":       "",
		"":                 "",
	}
	got := map[string]string{}
	for p := range cases {
		got[p] = stringAt(body, p)
	}
	if diff := cmp.Diff(cases, got); diff != "" {
		t.Errorf("stringAt mismatch (-want +got):\n%s", diff)
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 11, 24, 3, 0, 0, 0, time.UTC)
	cases := map[string]time.Duration{
		"":                              0,
		"7":                             7 * time.Second,
		" 120 ":                         2 * time.Minute,
		"-3":                            0,
		"1.5":                           0,
		"soon":                          0,
		"Tue, 24 Nov 2026 03:00:30 GMT": 30 * time.Second,
		"Tue, 24 Nov 2026 02:59:00 GMT": 0,
		"99999999999":                   365 * 24 * time.Hour,
		"99999999999999999999":          365 * 24 * time.Hour,
		"+7":                            7 * time.Second,
	}
	got := map[string]time.Duration{}
	for v := range cases {
		got[v] = ParseRetryAfter(v, now)
	}
	if diff := cmp.Diff(cases, got); diff != "" {
		t.Errorf("ParseRetryAfter mismatch (-want +got):\n%s", diff)
	}
}

func TestTruncate(t *testing.T) {
	s := "供应商供应商" // 18 bytes
	if got := truncate(s, 7); got != "供应…(truncated)" {
		t.Errorf("truncate cut inside a rune: %q", got)
	}
	if got := truncate(s, 18); got != s {
		t.Errorf("truncate changed a short string: %q", got)
	}
}
