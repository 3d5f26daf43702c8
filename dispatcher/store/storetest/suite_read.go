package storetest

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/dropship-operator/dropship-operator/dispatcher/order"
	"github.com/dropship-operator/dropship-operator/dispatcher/store"
)

func testLookups(t *testing.T, open Opener) {
	s := open(t)
	ctx := context.Background()
	intake(t, s, Order("k3", "SO-K", 2))
	a, b := order.LineID("k3", "SO-K", "1"), order.LineID("k3", "SO-K", "2")
	keyA := order.IdempotencyKey("k3", "SO-K", "1", "sup-a")
	apply(t, s,
		store.Change{ID: a, From: order.StateReceived, Version: 1, To: order.StateRouted, Supplier: ptr("sup-a"), IdempotencyKey: &keyA},
		store.Change{ID: b, From: order.StateReceived, Version: 1, To: order.StateRouted, Supplier: ptr("sup-b"),
			IdempotencyKey: ptr(order.IdempotencyKey("k3", "SO-K", "2", "sup-b"))})
	apply(t, s,
		store.Change{ID: a, From: order.StateRouted, Version: 2, To: order.StateSubmitted},
		store.Change{ID: b, From: order.StateRouted, Version: 2, To: order.StateSubmitted})
	apply(t, s,
		store.Change{ID: a, From: order.StateSubmitted, Version: 3, To: order.StateAccepted, SupplierOrderID: ptr("X-1")},
		// Two suppliers may use the same order id.
		store.Change{ID: b, From: order.StateSubmitted, Version: 3, To: order.StateAccepted, SupplierOrderID: ptr("X-1")})
	for _, tc := range []struct{ supplier, id, want string }{{"sup-a", "X-1", a}, {"sup-b", "X-1", b}} {
		l, err := s.FindBySupplierOrder(ctx, tc.supplier, tc.id)
		if err != nil || l.ID != tc.want {
			t.Errorf("FindBySupplierOrder(%s, %s): %v %v, want %s", tc.supplier, tc.id, l, err, tc.want)
		}
	}
	if l, err := s.FindByIdempotencyKey(ctx, keyA); err != nil || l.ID != a || l.Order == nil || l.Order.BillNo != "SO-K" {
		t.Errorf("FindByIdempotencyKey: %v %v, want %s with its order", l, err, a)
	}
	for name, err := range map[string]error{
		"unknown supplier order":  second(s.FindBySupplierOrder(ctx, "sup-a", "X-2")),
		"other supplier's order":  second(s.FindBySupplierOrder(ctx, "sup-c", "X-1")),
		"empty supplier order id": second(s.FindBySupplierOrder(ctx, "sup-a", "")),
		"unknown key":             second(s.FindByIdempotencyKey(ctx, "dso-none")),
		"empty key":               second(s.FindByIdempotencyKey(ctx, "")),
	} {
		wantErr(t, name, err, store.ErrNotFound)
	}
}

func second[T any](_ T, err error) error { return err }

func testList(t *testing.T, open Opener) {
	s := open(t)
	ctx := context.Background()
	var all []string
	for i := range 7 {
		all = append(all, intake(t, s, Order("k3", fmt.Sprintf("SO-%d", i), 3)).New...)
	}
	sort.Strings(all)
	// Route every other line to sup-a, then dead-letter every third.
	var routedA, dead []string
	for i, id := range all {
		switch {
		case i%3 == 0:
			move(t, s, id, order.StateDeadLettered)
			dead = append(dead, id)
		case i%2 == 0:
			route(t, s, id, "sup-a", time.Time{})
			routedA = append(routedA, id)
		}
	}
	page := func(f store.Filter) []string {
		t.Helper()
		var got []string
		for {
			lines, err := s.List(ctx, f)
			if err != nil {
				t.Fatalf("List(%+v): %v", f, err)
			}
			if len(lines) > f.Limit {
				t.Fatalf("List returned %d lines, more than the limit %d", len(lines), f.Limit)
			}
			got = append(got, ids(lines)...)
			if len(lines) < f.Limit {
				return got
			}
			f.After = lines[len(lines)-1].ID
		}
	}
	cases := map[string]struct {
		f    store.Filter
		want []string
	}{
		"everything":     {store.Filter{Limit: 4}, all},
		"dead letters":   {store.Filter{States: []order.State{order.StateDeadLettered}, Limit: 2}, dead},
		"supplier":       {store.Filter{Supplier: "sup-a", Limit: 3}, routedA},
		"one order":      {store.Filter{BillNo: "SO-3", Limit: 10}, []string{order.LineID("k3", "SO-3", "1"), order.LineID("k3", "SO-3", "2"), order.LineID("k3", "SO-3", "3")}},
		"no match":       {store.Filter{States: []order.State{order.StateShipped}, Limit: 5}, nil},
		"state+supplier": {store.Filter{States: []order.State{order.StateRouted}, Supplier: "sup-a", Limit: 100}, routedA},
	}
	for name, tc := range cases {
		if diff := cmp.Diff(tc.want, page(tc.f), cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("%s (-want +got):\n%s", name, diff)
		}
	}
	lines, err := s.List(ctx, store.Filter{})
	if err != nil || len(lines) != len(all) {
		t.Errorf("List with the default limit: %d lines (%v), want %d", len(lines), err, len(all))
	}
}

func testCounts(t *testing.T, open Opener) {
	s := open(t)
	ctx := context.Background()
	counts, err := s.Counts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, st := range order.States {
		if n, ok := counts[st]; !ok || n != 0 {
			t.Errorf("empty store: count of %s is %d (present %v), want 0", st, n, ok)
		}
	}
	res := intake(t, s, Order("k3", "SO-N", 5))
	before := time.Now().Add(-time.Second)
	path := []order.State{order.StateRouted, order.StateSubmitted, order.StateAccepted}
	supplier := []string{"sup-a", "sup-a", "sup-b", "sup-a"}
	for i, id := range res.New[:4] {
		route(t, s, id, supplier[i], time.Time{})
		move(t, s, id, path[1:]...)
	}
	move(t, s, res.New[3], order.StateCancelled)
	counts, err = s.Counts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := map[order.State]int64{}
	for _, st := range order.States {
		want[st] = 0
	}
	want[order.StateReceived], want[order.StateAccepted], want[order.StateCancelled] = 1, 3, 1
	if diff := cmp.Diff(want, counts); diff != "" {
		t.Errorf("counts (-want +got):\n%s", diff)
	}
	acc, err := s.AcceptedSince(ctx, before)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(map[string]int64{"sup-a": 3, "sup-b": 1}, acc); diff != "" {
		t.Errorf("AcceptedSince a second ago (-want +got):\n%s", diff)
	}
	acc, err = s.AcceptedSince(ctx, time.Now().Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if len(acc) != 0 {
		t.Errorf("AcceptedSince in an hour: %v, want none", acc)
	}
}

func testCursors(t *testing.T, open Opener) {
	s := open(t)
	ctx := context.Background()
	if v, err := s.Cursor(ctx, "watermark"); err != nil || v != "" {
		t.Errorf("unset cursor: %q %v, want empty", v, err)
	}
	for _, v := range []string{"2026-11-01T08:00:00", "2026-11-01T09:00:00"} {
		if err := s.SetCursor(ctx, "watermark", v); err != nil {
			t.Fatal(err)
		}
		if got, err := s.Cursor(ctx, "watermark"); err != nil || got != v {
			t.Errorf("cursor: %q %v, want %q", got, err, v)
		}
	}
	if err := s.SetCursor(ctx, "other", "x"); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Cursor(ctx, "watermark"); got != "2026-11-01T09:00:00" {
		t.Errorf("cursor after setting another: %q", got)
	}
}

func testDurability(t *testing.T, open Opener) {
	s := open(t)
	ctx := context.Background()
	o := Order("k3", "SO-D", 2)
	res := intake(t, s, o)
	keyA := order.IdempotencyKey("k3", "SO-D", "1", "sup-a")
	route(t, s, res.New[0], "sup-a", time.Time{})
	move(t, s, res.New[0], order.StateSubmitted)
	l := get(t, s, res.New[0])
	apply(t, s, store.Change{ID: l.ID, From: l.State, Version: l.Version, To: order.StateAccepted, SupplierOrderID: ptr("A-9"), IdempotencyKey: &keyA})
	if err := s.SetCursor(ctx, "watermark", "w1"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Claim(ctx, store.ClaimRequest{Owner: "r1", States: []order.State{order.StateReceived}, Now: time.Now(), Lease: time.Hour}); err != nil {
		t.Fatal(err)
	}
	before, err := s.List(ctx, store.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}

	s = open(t)
	after, err := s.List(ctx, store.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(before, after); diff != "" {
		t.Errorf("lines after reopening (-before +after):\n%s", diff)
	}
	if v, err := s.Cursor(ctx, "watermark"); err != nil || v != "w1" {
		t.Errorf("cursor after reopening: %q %v, want w1", v, err)
	}
	if got, err := s.FindBySupplierOrder(ctx, "sup-a", "A-9"); err != nil || got.ID != res.New[0] {
		t.Errorf("lookup after reopening: %v %v", got, err)
	}
	if res := intake(t, s, o); len(res.New) != 0 || len(res.Existing) != 2 {
		t.Errorf("intake after reopening: %+v, want both lines existing", res)
	}
	// The lease survived too: the claimed line is not handed out again before it ends.
	lines, err := s.Claim(ctx, store.ClaimRequest{Owner: "r2", States: []order.State{order.StateReceived}, Now: time.Now()})
	if err != nil || len(lines) != 0 {
		t.Errorf("claim after reopening during the lease: %v %v, want nothing", ids(lines), err)
	}
}

func testPurge(t *testing.T, open Opener) {
	s := open(t)
	ctx := context.Background()
	closed := func(bill string) string {
		t.Helper()
		id := intake(t, s, Order("k3", bill, 1)).New[0]
		route(t, s, id, "sup-a", time.Time{})
		move(t, s, id, order.StateSubmitted, order.StateAccepted, order.StateShipped, order.StateClosed)
		return id
	}
	a, b := closed("SO-A"), closed("SO-B")
	two := intake(t, s, Order("k3", "SO-C", 2)).New
	move(t, s, two[0], order.StateCancelled)
	move(t, s, two[1], order.StateRouted)
	dead := intake(t, s, Order("k3", "SO-D", 1)).New[0]
	move(t, s, dead, order.StateDeadLettered)
	shadow := intake(t, s, Order("k3", "SO-E", 1)).New[0]
	move(t, s, shadow, order.StateShadowed)

	purge := func(before time.Time, limit int) int {
		t.Helper()
		n, err := s.Purge(ctx, before, limit)
		if err != nil {
			t.Fatalf("Purge: %v", err)
		}
		return n
	}
	if n := purge(time.Now().Add(-time.Hour), 0); n != 0 {
		t.Errorf("Purge of lines changed over an hour ago deleted %d, want 0", n)
	}
	later := time.Now().Add(time.Hour)
	first := purge(later, 2)
	second := purge(later, 2)
	if first != 2 || second != 1 {
		t.Errorf("Purge with limit 2 deleted %d then %d, want 2 then 1", first, second)
	}
	if n := purge(later, 0); n != 0 {
		t.Errorf("Purge after everything finished was purged deleted %d, want 0", n)
	}
	for _, id := range []string{a, b, two[0]} {
		if _, err := s.Get(ctx, id); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("purged line %s: %v, want ErrNotFound", id, err)
		}
	}
	for _, id := range []string{two[1], dead, shadow} {
		if l, err := s.Get(ctx, id); err != nil || l.Order == nil || l.Order.BillNo == "" {
			t.Errorf("kept line %s: %v %v, want it with its order", id, l, err)
		}
	}
	// Purged lines can be taken in again (a source re-sending a very old order).
	if res := intake(t, s, Order("k3", "SO-A", 1)); len(res.New) != 1 {
		t.Errorf("intake of a purged order: %+v, want one new line", res)
	}
}
