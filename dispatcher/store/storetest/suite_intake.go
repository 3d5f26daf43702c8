package storetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/dropship-operator/dropship-operator/dispatcher/order"
	"github.com/dropship-operator/dropship-operator/dispatcher/store"
)

func testIntakeIdempotent(t *testing.T, open Opener) {
	s := open(t)
	o := Order("k3", "SO-1", 2)
	res := intake(t, s, o)
	wantIDs := []string{order.LineID("k3", "SO-1", "1"), order.LineID("k3", "SO-1", "2")}
	if diff := cmp.Diff(store.IntakeResult{New: wantIDs}, res, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("first intake (-want +got):\n%s", diff)
	}
	res = intake(t, s, o)
	if diff := cmp.Diff(store.IntakeResult{Existing: wantIDs}, res, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("repeated intake (-want +got):\n%s", diff)
	}

	l := get(t, s, wantIDs[1])
	if l.State != order.StateReceived || l.Version != 1 || l.Index != 1 {
		t.Errorf("journaled line: state %s version %d index %d, want Received 1 1", l.State, l.Version, l.Index)
	}
	if want := (order.LineRef{Source: "k3", BillNo: "SO-1", EntryID: "2"}); l.LineRef != want {
		t.Errorf("line ref %+v, want %+v", l.LineRef, want)
	}
	if diff := cmp.Diff(o, l.Order); diff != "" {
		t.Errorf("journaled order (-want +got):\n%s", diff)
	}
	if l.CreatedAt.IsZero() || l.UpdatedAt.IsZero() || !l.NextAttemptAt.IsZero() || !l.AcceptedAt.IsZero() {
		t.Errorf("times: created %v updated %v next %v accepted %v; want created and updated set, next and accepted zero",
			l.CreatedAt, l.UpdatedAt, l.NextAttemptAt, l.AcceptedAt)
	}

	// The same bill again with a third line: only that line is new, and it carries the order
	// as sent now, while the first lines keep theirs.
	o3 := Order("k3", "SO-1", 3)
	o3.Note = "second delivery"
	res = intake(t, s, o3)
	want := store.IntakeResult{New: []string{order.LineID("k3", "SO-1", "3")}, Existing: wantIDs}
	if diff := cmp.Diff(want, res, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("intake with a new line (-want +got):\n%s", diff)
	}
	if got := get(t, s, want.New[0]); got.Order.Note != "second delivery" || got.Index != 2 || len(got.Order.Lines) != 3 {
		t.Errorf("new line: order note %q, index %d, %d lines; want the second delivery, 2, 3", got.Order.Note, got.Index, len(got.Order.Lines))
	}
	if got := get(t, s, wantIDs[0]); got.Order.Note != "" || len(got.Order.Lines) != 2 {
		t.Errorf("old line: order note %q with %d lines; want the first delivery", got.Order.Note, len(got.Order.Lines))
	}
	// Another source may use the same bill number.
	if res := intake(t, s, Order("webhook", "SO-1", 1)); len(res.New) != 1 {
		t.Errorf("same bill of another source: %+v, want one new line", res)
	}
}

func testIntakeBatch(t *testing.T, open Opener) {
	s := open(t)
	ctx := context.Background()
	intake(t, s, Order("k3", "SO-C", 1))
	id := func(bill string, n int) string { return order.LineID("k3", bill, fmt.Sprint(n)) }
	batch := []*order.Order{Order("k3", "SO-A", 2), Order("k3", "SO-B", 1), Order("k3", "SO-A", 3), Order("k3", "SO-C", 1)}
	got, err := s.IntakeBatch(ctx, batch)
	if err != nil {
		t.Fatalf("IntakeBatch: %v", err)
	}
	want := []store.IntakeResult{
		{New: []string{id("SO-A", 1), id("SO-A", 2)}},
		{New: []string{id("SO-B", 1)}},
		{New: []string{id("SO-A", 3)}, Existing: []string{id("SO-A", 1), id("SO-A", 2)}},
		{Existing: []string{id("SO-C", 1)}},
	}
	if diff := cmp.Diff(want, got, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("IntakeBatch results (-want +got):\n%s", diff)
	}
	if l := get(t, s, id("SO-A", 3)); l.Index != 2 || len(l.Order.Lines) != 3 || l.State != order.StateReceived {
		t.Errorf("line added by the batch's second SO-A: index %d, %d order lines, %s", l.Index, len(l.Order.Lines), l.State)
	}
	// One order that cannot be journaled fails the call, and nothing of it is written.
	bad := Order("k3", "SO-E", 1)
	bad.Lines = nil
	if _, err := s.IntakeBatch(ctx, []*order.Order{Order("k3", "SO-D", 1), bad}); err == nil {
		t.Error("IntakeBatch with an order without lines succeeded, want an error")
	}
	if _, err := s.Get(ctx, id("SO-D", 1)); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("line of the failed batch: %v, want ErrNotFound", err)
	}
	if res, err := s.IntakeBatch(ctx, nil); err != nil || len(res) != 0 {
		t.Errorf("empty batch: %v %v, want nothing", res, err)
	}
}

func testIntakeRefuses(t *testing.T, open Opener) {
	s := open(t)
	noLines := Order("k3", "SO-0", 1)
	noLines.Lines = nil
	dup := Order("k3", "SO-2", 2)
	dup.Lines[1].EntryID = dup.Lines[0].EntryID
	for name, o := range map[string]*order.Order{"nil": nil, "no lines": noLines, "repeated entry": dup, "no bill": Order("k3", "", 1)} {
		if _, err := s.Intake(context.Background(), o); err == nil {
			t.Errorf("Intake(%s) succeeded, want an error", name)
		}
	}
	if got, err := s.List(context.Background(), store.Filter{}); err != nil || len(got) != 0 {
		t.Errorf("after refused intakes: %d lines (%v), want none", len(got), err)
	}
}

func testIntakeConcurrent(t *testing.T, open Opener) {
	s := open(t)
	const n = 8
	results := make([]store.IntakeResult, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			res, err := s.Intake(context.Background(), Order("k3", "SO-C", 3))
			if err != nil {
				t.Errorf("Intake: %v", err)
			}
			results[i] = res
		})
	}
	wg.Wait()
	var fresh, existing int
	for _, r := range results {
		fresh += len(r.New)
		existing += len(r.Existing)
	}
	if fresh != 3 || existing != 3*(n-1) {
		t.Errorf("%d concurrent intakes of a 3-line order: %d new, %d existing; want 3 and %d", n, fresh, existing, 3*(n-1))
	}
}
