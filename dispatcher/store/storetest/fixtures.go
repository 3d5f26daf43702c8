package storetest

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/dropship-operator/dropship-operator/dispatcher/order"
	"github.com/dropship-operator/dropship-operator/dispatcher/store"
)

// Order returns a valid order of the source with the bill number and n lines, whose entry
// ids are "1" … "n".
func Order(source, billNo string, n int) *order.Order {
	o := &order.Order{
		Source:   source,
		BillNo:   billNo,
		BillID:   "100" + billNo,
		Customer: "CUST-001",
		Currency: "CNY",
		ShipTo: order.ShipTo{
			Name: "张三", Phone: "13812345678", Province: "广东省", City: "深圳市",
			District: "南山区", Address: "科技园南区 1 号",
		},
		CreatedAt:  time.Date(2026, 11, 1, 8, 0, 0, 0, time.UTC),
		ApprovedAt: time.Date(2026, 11, 1, 9, 30, 0, 0, time.UTC),
	}
	for i := 1; i <= n; i++ {
		o.Lines = append(o.Lines, order.Line{
			EntryID: fmt.Sprint(i), SKU: fmt.Sprintf("SKU-%03d", i), Name: "商品",
			Quantity: float64(i), UnitPrice: 9.9,
		})
	}
	return o
}

func ptr[T any](v T) *T { return &v }

func intake(t testing.TB, s store.Store, o *order.Order) store.IntakeResult {
	t.Helper()
	res, err := s.Intake(context.Background(), o)
	if err != nil {
		t.Fatalf("Intake(%s): %v", o.BillNo, err)
	}
	return res
}

func get(t testing.TB, s store.Store, id string) *store.Line {
	t.Helper()
	l, err := s.Get(context.Background(), id)
	if err != nil {
		t.Fatalf("Get(%q): %v", id, err)
	}
	return l
}

// apply applies changes that must all succeed.
func apply(t testing.TB, s store.Store, changes ...store.Change) {
	t.Helper()
	errs, err := s.Apply(context.Background(), changes)
	if err != nil {
		t.Fatalf("Apply: %v", err)
	}
	if len(errs) != len(changes) {
		t.Fatalf("Apply returned %d results for %d changes", len(errs), len(changes))
	}
	for i, e := range errs {
		if e != nil {
			t.Fatalf("Apply change %d (%s → %s of %q): %v", i, changes[i].From, changes[i].To, changes[i].ID, e)
		}
	}
}

// move moves a line to the state through the given path of states, starting from what the
// store holds, and returns the line as stored afterwards.
func move(t testing.TB, s store.Store, id string, path ...order.State) *store.Line {
	t.Helper()
	l := get(t, s, id)
	for _, to := range path {
		apply(t, s, store.Change{ID: id, From: l.State, Version: l.Version, To: to})
		l = get(t, s, id)
	}
	return l
}

func ids(lines []*store.Line) []string {
	out := make([]string, len(lines))
	for i, l := range lines {
		out[i] = l.ID
	}
	return out
}

func wantErr(t testing.TB, what string, got, want error) {
	t.Helper()
	if !errors.Is(got, want) {
		t.Errorf("%s: error %v, want %v", what, got, want)
	}
}
