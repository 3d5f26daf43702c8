package order

import (
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func validOrder() *Order {
	return &Order{
		Source: "kingdee-main", BillNo: "XSDD000123", BillID: "100123",
		ShipTo: ShipTo{Name: "张三", Phone: "13812345678", Province: "广东省", City: "深圳市", Address: "广东省深圳市南山区科技园1号"},
		Lines: []Line{
			{EntryID: "100456", SKU: "SKU-001", Quantity: 2, UnitPrice: 59.9},
			{EntryID: "100457", SKU: "SKU-002", Quantity: 1, UnitPrice: 19.9},
		},
	}
}

func TestValidate(t *testing.T) {
	cases := map[string]struct {
		reason string
		mutate func(o *Order)
		fields []string
	}{
		"valid":            {"a complete order passes", func(*Order) {}, nil},
		"missing bill":     {"bill number is the identity", func(o *Order) { o.BillNo = " " }, []string{"billNo"}},
		"no lines":         {"an order without lines can route nothing", func(o *Order) { o.Lines = nil }, []string{"lines"}},
		"zero quantity":    {"quantity must be positive", func(o *Order) { o.Lines[1].Quantity = 0 }, []string{"lines[1].quantity"}},
		"nan quantity":     {"NaN is not a quantity", func(o *Order) { o.Lines[0].Quantity = math.NaN() }, []string{"lines[0].quantity"}},
		"negative price":   {"prices are not negative", func(o *Order) { o.Lines[0].UnitPrice = -1 }, []string{"lines[0].unitPrice"}},
		"duplicate entry":  {"entry ids are unique in an order", func(o *Order) { o.Lines[1].EntryID = "100456" }, []string{"lines[1].entryID"}},
		"missing province": {"routing needs the province", func(o *Order) { o.ShipTo.Province = "" }, []string{"shipTo.province"}},
		"missing sku":      {"routing needs the SKU", func(o *Order) { o.Lines[0].SKU = "" }, []string{"lines[0].sku"}},
		"bad utf8":         {"invalid UTF-8 is refused", func(o *Order) { o.ShipTo.Name = "\xff" }, []string{"shipTo.name"}},
		"too long":         {"strings are bounded", func(o *Order) { o.Note = strings.Repeat("x", 2000) }, []string{"note"}},
		"several": {"every problem is reported at once", func(o *Order) {
			o.Source = ""
			o.ShipTo.Phone = ""
		}, []string{"source", "shipTo.phone"}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			o := validOrder()
			tc.mutate(o)
			err := o.Validate()
			var got []string
			var fe FieldErrors
			if err != nil {
				if !errors.As(err, &fe) {
					t.Fatalf("error %T is not FieldErrors", err)
				}
				for _, e := range fe {
					got = append(got, e.Field)
				}
			}
			if d := cmp.Diff(tc.fields, got); d != "" {
				t.Errorf("%s: fields (-want +got):\n%s", tc.reason, d)
			}
		})
	}
}

func TestTransitions(t *testing.T) {
	allowed := [][2]State{
		{StateReceived, StateRouted}, {StateRouted, StateSubmitted}, {StateSubmitted, StateAccepted},
		{StateAccepted, StateRecorded}, {StateRecorded, StateShipped}, {StateShipped, StateClosed},
		{StateSubmitted, StateRejected}, {StateRejected, StateRouted}, {StateDeadLettered, StateReceived},
		{StateReceived, StateShadowed}, {StateAccepted, StateShipped}, {StateSubmitted, StateSubmitted},
	}
	for _, p := range allowed {
		if err := Transition(p[0], p[1]); err != nil {
			t.Errorf("Transition(%s, %s) = %v, want allowed", p[0], p[1], err)
		}
	}
	forbidden := [][2]State{
		{StateReceived, StateAccepted}, {StateClosed, StateReceived}, {StateCancelled, StateRouted},
		{StateShipped, StateReceived}, {StateRouted, StateAccepted}, {StateShadowed, StateSubmitted},
	}
	for _, p := range forbidden {
		if err := Transition(p[0], p[1]); err == nil {
			t.Errorf("Transition(%s, %s) allowed, want refused", p[0], p[1])
		}
	}
	for _, s := range States {
		if !s.Valid() {
			t.Errorf("%s is listed in States but has no transition entry", s)
		}
	}
	if State("Bogus").Valid() {
		t.Error("an unknown state is valid")
	}
}

func TestIdentity(t *testing.T) {
	if LineID("a/b", "c", "d") == LineID("a", "b/c", "d") {
		t.Error("a slash inside a part makes two lines share an id")
	}
	o := validOrder()
	if got, want := o.Ref(1).ID(), "kingdee-main/XSDD000123/100457"; got != want {
		t.Errorf("Ref(1).ID() = %q, want %q", got, want)
	}
	k1 := IdempotencyKey("s", "b", "e", "supplier-a")
	if k1 != IdempotencyKey("s", "b", "e", "supplier-a") {
		t.Error("idempotency key is not stable")
	}
	if k1 == IdempotencyKey("s", "b", "e", "supplier-b") {
		t.Error("rerouting to another supplier must change the key")
	}
	if IdempotencyKey("s", "be", "", "x") == IdempotencyKey("s", "b", "e", "x") {
		t.Error("parts must be separated in the key")
	}
}

func TestMask(t *testing.T) {
	cases := map[string]struct {
		fn       func(string) string
		in, want string
	}{
		"phone":         {MaskPhone, "13812345678", "138****5678"},
		"short phone":   {MaskPhone, "12345", "****"},
		"address":       {MaskAddress, "广东省深圳市南山区科技园1号", "广东省深圳市…"},
		"short address": {MaskAddress, "北京市", "北京市"},
		"name":          {MaskName, "张三丰", "张**"},
	}
	for name, tc := range cases {
		if got := tc.fn(tc.in); got != tc.want {
			t.Errorf("%s: got %q, want %q", name, got, tc.want)
		}
	}
}
