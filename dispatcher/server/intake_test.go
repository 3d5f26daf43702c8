package server

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseOrders(t *testing.T) {
	one := `{"billNo":"SO1","shipTo":{"name":"张三","phone":"13800000000","province":"广东省","address":"x"},"lines":[{"entryID":"1","sku":"A","quantity":1}]}`
	cases := map[string]struct {
		reason string
		body   string
		bills  []string
		err    error
	}{
		"single":        {"one order object", one, []string{"SO1"}, nil},
		"array":         {"a JSON array of orders", "[" + one + "," + one + "]", []string{"SO1", "SO1"}, nil},
		"wrapped":       {"an object with orders", `{"orders":[` + one + `]}`, []string{"SO1"}, nil},
		"empty":         {"an empty body", "  ", nil, ErrMalformed},
		"empty array":   {"no orders at all", "[]", nil, ErrMalformed},
		"unknown field": {"a misspelt field is refused", `{"billNo":"SO1","lnes":[]}`, nil, ErrMalformed},
		"scalar":        {"a JSON scalar", `42`, nil, ErrMalformed},
		"null order":    {"a null in the array", `[null]`, nil, ErrMalformed},
		"trailing":      {"data after the value", one + `{}`, nil, ErrMalformed},
		"bad json":      {"broken JSON", `{"billNo":`, nil, ErrMalformed},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			orders, err := ParseOrders([]byte(tc.body))
			if !errors.Is(err, tc.err) {
				t.Fatalf("%s: error %v, want %v", tc.reason, err, tc.err)
			}
			var bills []string
			for _, o := range orders {
				bills = append(bills, o.BillNo)
			}
			if diff := cmp.Diff(tc.bills, bills); diff != "" {
				t.Errorf("%s (-want +got):\n%s", tc.reason, diff)
			}
		})
	}
}

func FuzzParseOrders(f *testing.F) {
	f.Add([]byte(`{"billNo":"SO1","lines":[{"entryID":"1","sku":"A","quantity":1}]}`))
	f.Add([]byte(`[{"billNo":"x"}]`))
	f.Add([]byte(`{"orders":[{}]}`))
	f.Add([]byte(`{"orders":null}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		orders, err := ParseOrders(b)
		if err == nil {
			if len(orders) == 0 {
				t.Fatal("no error and no orders")
			}
			_ = validate(orders, "intake")
		}
	})
}
