package storetest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/dropship-operator/dropship-operator/dispatcher/order"
	"github.com/dropship-operator/dropship-operator/dispatcher/store"
)

// Opener opens a backend for one test. Called for the first time with a test, it opens
// the backend over fresh, empty storage; called again with the same test after the store
// it returned was closed, it reopens that same storage (the durability test does this).
// It should register the store's Close with t.Cleanup; the suite may close a store itself
// first, so Close must be safe to call twice.
type Opener func(t *testing.T) store.Store

// Run runs the conformance suite against the backend open opens.
func Run(t *testing.T, open Opener) {
	tests := []struct {
		name string
		fn   func(t *testing.T, open Opener)
	}{
		{"IntakeIsIdempotent", testIntakeIdempotent},
		{"IntakeBatch", testIntakeBatch},
		{"IntakeRefusesUnjournalableOrders", testIntakeRefuses},
		{"IntakeConcurrentDuplicates", testIntakeConcurrent},
		{"TransitionsFollowStateMachine", testTransitions},
		{"ChangeWritesOnlyGivenFields", testChangeFields},
		{"VersionConflicts", testConflicts},
		{"ConcurrentAppliersOneWins", testConcurrentApply},
		{"BatchWithMixedResults", testBatchMixed},
		{"ClaimDueTimeAndFilters", testClaimFilters},
		{"ClaimLeases", testClaimLeases},
		{"ConcurrentClaimersNeverShare", testConcurrentClaim},
		{"Lookups", testLookups},
		{"ListPagingAndFilters", testList},
		{"CountsAndAcceptedSince", testCounts},
		{"Cursors", testCursors},
		{"Durability", testDurability},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, open) })
	}
}

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

func testTransitions(t *testing.T, open Opener) {
	s := open(t)
	intake(t, s, Order("k3", "SO-T", 1))
	id := order.LineID("k3", "SO-T", "1")
	// Walk the happy path; each step bumps the version by one.
	path := []order.State{order.StateRouted, order.StateSubmitted, order.StateSubmitted, order.StateAccepted,
		order.StateRecorded, order.StateShipped, order.StateClosed}
	l := get(t, s, id)
	for _, to := range path {
		before := l
		apply(t, s, store.Change{ID: id, From: l.State, Version: l.Version, To: to})
		l = get(t, s, id)
		if l.State != to || l.Version != before.Version+1 {
			t.Fatalf("after %s → %s: state %s version %d, want %s %d", before.State, to, l.State, l.Version, to, before.Version+1)
		}
	}
	// Every forbidden move is refused without writing, whatever the version. (A change
	// that keeps the state is a field update, allowed everywhere.)
	for _, from := range order.States {
		for _, to := range order.States {
			if from == to || order.CanTransition(from, to) {
				continue
			}
			errs, err := s.Apply(context.Background(), []store.Change{{ID: id, From: from, Version: l.Version, To: to}})
			if err != nil {
				t.Fatalf("Apply(%s → %s): %v", from, to, err)
			}
			wantErr(t, fmt.Sprintf("%s → %s", from, to), errs[0], store.ErrInvalidTransition)
		}
	}
	if got := get(t, s, id); got.State != order.StateClosed || got.Version != l.Version {
		t.Errorf("after forbidden moves: %s version %d, want Closed %d untouched", got.State, got.Version, l.Version)
	}
	// A forbidden move of a line that does exist in from is refused too, and nothing is written.
	intake(t, s, Order("k3", "SO-T2", 1))
	id2 := order.LineID("k3", "SO-T2", "1")
	errs, err := s.Apply(context.Background(), []store.Change{{ID: id2, From: order.StateReceived, Version: 1, To: order.StateShipped,
		Supplier: ptr("sup-a")}})
	if err != nil {
		t.Fatal(err)
	}
	wantErr(t, "Received → Shipped", errs[0], store.ErrInvalidTransition)
	if got := get(t, s, id2); got.State != order.StateReceived || got.Version != 1 || got.Supplier != "" {
		t.Errorf("refused line: %s version %d supplier %q, want it untouched", got.State, got.Version, got.Supplier)
	}
}

func testChangeFields(t *testing.T, open Opener) {
	s := open(t)
	intake(t, s, Order("k3", "SO-F", 1))
	id := order.LineID("k3", "SO-F", "1")
	next := time.Date(2026, 11, 2, 10, 0, 0, 123456789, time.UTC)
	explain := json.RawMessage(`{"rule":"south","candidates":[{"name":"sup-a","weight":70}]}`)
	key := order.IdempotencyKey("k3", "SO-F", "1", "sup-a")
	apply(t, s, store.Change{ID: id, From: order.StateReceived, Version: 1, To: order.StateRouted,
		Supplier: ptr("sup-a"), Rule: ptr("south"), Tier: ptr(1), Explain: explain, IdempotencyKey: ptr(key)})
	apply(t, s, store.Change{ID: id, From: order.StateRouted, Version: 2, To: order.StateSubmitted,
		Attempts: ptr(1), NextAttemptAt: &next, LastResponse: ptr("503 busy")})
	l := get(t, s, id)
	want := fieldsOf(l)
	want.Supplier, want.Rule, want.Tier, want.IdempotencyKey = "sup-a", "south", 1, key
	want.Attempts, want.NextAttemptAt, want.LastResponse = 1, next, "503 busy"
	if diff := cmp.Diff(want, fieldsOf(l)); diff != "" {
		t.Errorf("after two changes (-want +got):\n%s", diff)
	}
	if !jsonEqual(explain, l.Explain) {
		t.Errorf("explain %s, want %s", l.Explain, explain)
	}

	// Refused by the supplier: tried grows (without repeats), then rerouted.
	apply(t, s, store.Change{ID: id, From: order.StateSubmitted, Version: 3, To: order.StateRejected, AddTried: "sup-a", Reason: ptr("out of stock")})
	apply(t, s, store.Change{ID: id, From: order.StateRejected, Version: 4, To: order.StateRouted, AddTried: "sup-a", Supplier: ptr("sup-b"),
		Explain: json.RawMessage(`{"rule":"south"}`)})
	l = get(t, s, id)
	if diff := cmp.Diff([]string{"sup-a"}, l.Tried); diff != "" || l.Reason != "out of stock" || l.Supplier != "sup-b" || l.Rule != "south" {
		t.Errorf("after reject and reroute: tried %v reason %q supplier %q rule %q; want [sup-a], out of stock, sup-b, south",
			l.Tried, l.Reason, l.Supplier, l.Rule)
	}
	apply(t, s, store.Change{ID: id, From: order.StateRouted, Version: 5, To: order.StateSubmitted, AddTried: "sup-c"})
	if l = get(t, s, id); !slices.Equal(l.Tried, []string{"sup-a", "sup-c"}) {
		t.Errorf("tried %v, want [sup-a sup-c]", l.Tried)
	}

	// Accepted stamps AcceptedAt; the shipment round-trips.
	if !l.AcceptedAt.IsZero() {
		t.Errorf("AcceptedAt %v before acceptance, want zero", l.AcceptedAt)
	}
	apply(t, s, store.Change{ID: id, From: order.StateSubmitted, Version: 6, To: order.StateAccepted, SupplierOrderID: ptr("B-778")})
	l = get(t, s, id)
	if l.AcceptedAt.IsZero() || l.SupplierOrderID != "B-778" {
		t.Errorf("after acceptance: AcceptedAt %v supplier order %q, want set and B-778", l.AcceptedAt, l.SupplierOrderID)
	}
	ship := &order.Shipment{Carrier: "SF", TrackingNo: "SF1234567890", ShippedAt: time.Date(2026, 11, 3, 15, 4, 5, 0, time.UTC)}
	apply(t, s, store.Change{ID: id, From: order.StateAccepted, Version: 7, To: order.StateRecorded, PurchaseOrderNo: ptr("CGDD000123")})
	apply(t, s, store.Change{ID: id, From: order.StateRecorded, Version: 8, To: order.StateShipped, Shipment: ship, ShipmentWrittenBack: ptr(true)})
	l = get(t, s, id)
	if diff := cmp.Diff(ship, l.Shipment); diff != "" {
		t.Errorf("shipment (-want +got):\n%s", diff)
	}
	if !l.ShipmentWrittenBack || l.PurchaseOrderNo != "CGDD000123" || l.SupplierOrderID != "B-778" || l.Version != 9 {
		t.Errorf("shipped line: written back %v PO %q supplier order %q version %d; want true CGDD000123 B-778 9",
			l.ShipmentWrittenBack, l.PurchaseOrderNo, l.SupplierOrderID, l.Version)
	}
	apply(t, s, store.Change{ID: id, From: order.StateShipped, Version: 9, To: order.StateShipped, ShipmentWrittenBack: ptr(false), Reason: ptr("")})
	if l = get(t, s, id); l.ShipmentWrittenBack || l.Reason != "" || l.Shipment == nil {
		t.Errorf("fields set to their zero values: written back %v reason %q shipment %v; want false, empty, kept", l.ShipmentWrittenBack, l.Reason, l.Shipment)
	}
}

// fields are the values of a line a change may write, for comparisons.
type fields struct {
	Supplier, Rule, IdempotencyKey, SupplierOrderID, PurchaseOrderNo, Reason, LastResponse string
	Tier, Attempts                                                                         int
	NextAttemptAt                                                                          time.Time
	Tried                                                                                  []string
	ShipmentWrittenBack                                                                    bool
}

func fieldsOf(l *store.Line) fields {
	return fields{Supplier: l.Supplier, Rule: l.Rule, IdempotencyKey: l.IdempotencyKey, SupplierOrderID: l.SupplierOrderID,
		PurchaseOrderNo: l.PurchaseOrderNo, Reason: l.Reason, LastResponse: l.LastResponse, Tier: l.Tier, Attempts: l.Attempts,
		NextAttemptAt: l.NextAttemptAt, Tried: l.Tried, ShipmentWrittenBack: l.ShipmentWrittenBack}
}

func jsonEqual(a, b []byte) bool {
	var x, y any
	if json.Unmarshal(a, &x) != nil || json.Unmarshal(b, &y) != nil {
		return false
	}
	return cmp.Equal(x, y)
}

func testConflicts(t *testing.T, open Opener) {
	s := open(t)
	intake(t, s, Order("k3", "SO-V", 1))
	id := order.LineID("k3", "SO-V", "1")
	move(t, s, id, order.StateRouted)
	for name, c := range map[string]store.Change{
		"stale version":  {ID: id, From: order.StateRouted, Version: 1, To: order.StateSubmitted, Supplier: ptr("x")},
		"future version": {ID: id, From: order.StateRouted, Version: 3, To: order.StateSubmitted, Supplier: ptr("x")},
		"wrong state":    {ID: id, From: order.StateReceived, Version: 2, To: order.StateRouted, Supplier: ptr("x")},
	} {
		errs, err := s.Apply(context.Background(), []store.Change{c})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		wantErr(t, name, errs[0], store.ErrConflict)
	}
	errs, err := s.Apply(context.Background(), []store.Change{{ID: "k3/none/1", From: order.StateReceived, Version: 1, To: order.StateRouted}})
	if err != nil {
		t.Fatal(err)
	}
	wantErr(t, "unknown line", errs[0], store.ErrNotFound)
	if l := get(t, s, id); l.State != order.StateRouted || l.Version != 2 || l.Supplier != "" {
		t.Errorf("after refused changes: %s version %d supplier %q, want Routed 2 and no supplier", l.State, l.Version, l.Supplier)
	}
	if _, err := s.Get(context.Background(), "k3/none/1"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Get of an unknown line: %v, want ErrNotFound", err)
	}
}

func testConcurrentApply(t *testing.T, open Opener) {
	s := open(t)
	intake(t, s, Order("k3", "SO-R", 1))
	id := order.LineID("k3", "SO-R", "1")
	const n = 8
	var wg sync.WaitGroup
	results := make([]error, n)
	for i := range n {
		wg.Go(func() {
			errs, err := s.Apply(context.Background(), []store.Change{{ID: id, From: order.StateReceived, Version: 1,
				To: order.StateRouted, Supplier: ptr(fmt.Sprintf("sup-%d", i))}})
			if err != nil {
				t.Errorf("Apply: %v", err)
				return
			}
			results[i] = errs[0]
		})
	}
	wg.Wait()
	won := -1
	for i, e := range results {
		switch {
		case e == nil && won >= 0:
			t.Errorf("both %d and %d moved the line", won, i)
		case e == nil:
			won = i
		case !errors.Is(e, store.ErrConflict):
			t.Errorf("loser %d: %v, want ErrConflict", i, e)
		}
	}
	if won < 0 {
		t.Fatal("no concurrent change won")
	}
	if l := get(t, s, id); l.Supplier != fmt.Sprintf("sup-%d", won) || l.Version != 2 {
		t.Errorf("line: supplier %q version %d, want the winner's sup-%d at 2", l.Supplier, l.Version, won)
	}
}

func testBatchMixed(t *testing.T, open Opener) {
	s := open(t)
	intake(t, s, Order("k3", "SO-B", 3))
	a, b, c := order.LineID("k3", "SO-B", "1"), order.LineID("k3", "SO-B", "2"), order.LineID("k3", "SO-B", "3")
	batch := []store.Change{
		{ID: a, From: order.StateReceived, Version: 1, To: order.StateRouted, Supplier: ptr("sup-a")},
		{ID: b, From: order.StateReceived, Version: 1, To: order.StateAccepted, Supplier: ptr("sup-a")},
		{ID: c, From: order.StateReceived, Version: 7, To: order.StateRouted, Supplier: ptr("sup-a")},
		{ID: "k3/SO-B/9", From: order.StateReceived, Version: 1, To: order.StateRouted},
		// The same line again, seeing the first change's result.
		{ID: a, From: order.StateRouted, Version: 2, To: order.StateSubmitted, Attempts: ptr(1)},
		{ID: c, From: order.StateReceived, Version: 1, To: order.StateDeadLettered, Reason: ptr("no supplier serves 西藏自治区")},
	}
	errs, err := s.Apply(context.Background(), batch)
	if err != nil {
		t.Fatalf("Apply: %v", err)
	}
	if len(errs) != len(batch) {
		t.Fatalf("%d results for %d changes", len(errs), len(batch))
	}
	for i, want := range []error{nil, store.ErrInvalidTransition, store.ErrConflict, store.ErrNotFound, nil, nil} {
		if want == nil && errs[i] != nil || want != nil && !errors.Is(errs[i], want) {
			t.Errorf("change %d: %v, want %v", i, errs[i], want)
		}
	}
	if l := get(t, s, a); l.State != order.StateSubmitted || l.Version != 3 || l.Supplier != "sup-a" || l.Attempts != 1 {
		t.Errorf("line a: %s v%d supplier %q attempts %d, want Submitted v3 sup-a 1", l.State, l.Version, l.Supplier, l.Attempts)
	}
	if l := get(t, s, b); l.State != order.StateReceived || l.Version != 1 || l.Supplier != "" {
		t.Errorf("line b: %s v%d supplier %q, want untouched", l.State, l.Version, l.Supplier)
	}
	if l := get(t, s, c); l.State != order.StateDeadLettered || l.Version != 2 || l.Reason != "no supplier serves 西藏自治区" || l.Supplier != "" {
		t.Errorf("line c: %s v%d reason %q supplier %q, want DeadLettered v2 with the reason", l.State, l.Version, l.Reason, l.Supplier)
	}
	if errs, err := s.Apply(context.Background(), nil); err != nil || len(errs) != 0 {
		t.Errorf("empty batch: %v %v, want nothing", errs, err)
	}
}

// route moves a Received line to Routed for the supplier and sets when it is due.
func route(t *testing.T, s store.Store, id, supplier string, due time.Time) {
	t.Helper()
	l := get(t, s, id)
	apply(t, s, store.Change{ID: id, From: l.State, Version: l.Version, To: order.StateRouted, Supplier: &supplier, NextAttemptAt: &due})
}

func testClaimFilters(t *testing.T, open Opener) {
	s := open(t)
	ctx := context.Background()
	now := time.Date(2026, 11, 2, 12, 0, 0, 0, time.UTC)
	intake(t, s, Order("k3", "SO-Q", 6))
	id := func(n int) string { return order.LineID("k3", "SO-Q", fmt.Sprint(n)) }
	route(t, s, id(1), "sup-a", now.Add(-time.Minute))
	route(t, s, id(2), "sup-b", now.Add(-2*time.Minute))
	route(t, s, id(3), "sup-a", now.Add(time.Minute)) // not yet due
	route(t, s, id(4), "sup-a", now.Add(-3*time.Minute))
	move(t, s, id(4), order.StateSubmitted)
	// 5 and 6 stay Received, due at once.

	claim := func(req store.ClaimRequest) []string {
		t.Helper()
		if req.Owner == "" {
			req.Owner = "replica-1"
		}
		req.Lease = time.Second
		lines, err := s.Claim(ctx, req)
		if err != nil {
			t.Fatalf("Claim(%+v): %v", req, err)
		}
		return ids(lines)
	}
	release := func(ids ...string) {
		t.Helper()
		for _, id := range ids {
			l := get(t, s, id)
			apply(t, s, store.Change{ID: id, From: l.State, Version: l.Version, To: l.State, ReleaseLease: true})
		}
	}
	cases := []struct {
		reason string
		req    store.ClaimRequest
		want   []string
	}{
		{"routed lines that are due, most overdue first", store.ClaimRequest{States: []order.State{order.StateRouted}, Now: now}, []string{id(2), id(1)}},
		{"supplier filter", store.ClaimRequest{States: []order.State{order.StateRouted, order.StateSubmitted}, Supplier: "sup-a", Now: now}, []string{id(4), id(1)}},
		{"later, the line due then is claimable", store.ClaimRequest{States: []order.State{order.StateRouted}, Supplier: "sup-a", Now: now.Add(time.Hour)}, []string{id(1), id(3)}},
		{"received lines are due at once", store.ClaimRequest{States: []order.State{order.StateReceived}, Now: now}, []string{id(5), id(6)}},
		{"limit; lines never postponed come first", store.ClaimRequest{States: []order.State{order.StateReceived, order.StateRouted}, Now: now, Limit: 1}, []string{id(5)}},
		{"no state matches", store.ClaimRequest{States: []order.State{order.StateShipped}, Now: now}, nil},
		{"no supplier matches", store.ClaimRequest{States: []order.State{order.StateRouted}, Supplier: "sup-z", Now: now}, nil},
	}
	for _, tc := range cases {
		got := claim(tc.req)
		if diff := cmp.Diff(tc.want, got, cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tc.reason, diff)
		}
		release(got...)
	}
	if _, err := s.Claim(ctx, store.ClaimRequest{Owner: "x", Now: now}); err == nil {
		t.Error("Claim without states succeeded, want an error")
	}
}

func testClaimLeases(t *testing.T, open Opener) {
	s := open(t)
	ctx := context.Background()
	now := time.Date(2026, 11, 2, 12, 0, 0, 0, time.UTC)
	intake(t, s, Order("k3", "SO-L", 3))
	received := []order.State{order.StateReceived}
	first, err := s.Claim(ctx, store.ClaimRequest{Owner: "replica-1", States: received, Now: now, Limit: 2, Lease: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	if len(first) != 2 {
		t.Fatalf("first claim got %d lines, want 2", len(first))
	}
	for _, l := range first {
		if l.LeaseOwner != "replica-1" || !l.LeaseUntil.Equal(now.Add(time.Minute)) || l.Version != 1 || l.Order == nil {
			t.Errorf("claimed line %s: owner %q until %v version %d order %v; want replica-1, now+1m, 1, the order",
				l.ID, l.LeaseOwner, l.LeaseUntil, l.Version, l.Order != nil)
		}
	}
	claimIDs := func(owner string, at time.Time) []string {
		t.Helper()
		lines, err := s.Claim(ctx, store.ClaimRequest{Owner: owner, States: received, Now: at, Lease: time.Minute})
		if err != nil {
			t.Fatal(err)
		}
		return ids(lines)
	}
	third := order.LineID("k3", "SO-L", "3")
	if got := claimIDs("replica-2", now.Add(30*time.Second)); !slices.Equal(got, []string{third}) {
		t.Errorf("second owner during the lease got %v, want only the unclaimed %s", got, third)
	}
	if got := claimIDs("replica-1", now.Add(59*time.Second)); len(got) != 0 {
		t.Errorf("first owner again during its leases got %v, want nothing", got)
	}
	// The first lease ends (the replica crashed): its lines come back to another owner.
	got := claimIDs("replica-2", now.Add(61*time.Second))
	if diff := cmp.Diff(ids(first), got); diff != "" {
		t.Errorf("after the lease expired (-want +got):\n%s", diff)
	}
	// A released line comes back at once, state and version as the change left them.
	l := get(t, s, third)
	apply(t, s, store.Change{ID: third, From: order.StateReceived, Version: l.Version, To: order.StateRouted, ReleaseLease: true})
	if l = get(t, s, third); l.LeaseOwner != "" || !l.LeaseUntil.IsZero() {
		t.Errorf("released line: owner %q until %v, want none", l.LeaseOwner, l.LeaseUntil)
	}
	lines, err := s.Claim(ctx, store.ClaimRequest{Owner: "replica-3", States: []order.State{order.StateRouted}, Now: now.Add(62 * time.Second)})
	if err != nil {
		t.Fatal(err)
	}
	if len(lines) != 1 || lines[0].ID != third || lines[0].Version != 2 {
		t.Fatalf("released line: claim got %v, want %s at version 2", ids(lines), third)
	}

	// A change during the lease that sets NextAttemptAt keeps the lease: the line is due at
	// the later of the two. Released, it is due at NextAttemptAt.
	t0 := now.Add(62 * time.Second) // replica-3 holds the line until t0+30s (DefaultLease)
	routed := []order.State{order.StateRouted}
	claimAt := func(at time.Time) []string {
		t.Helper()
		lines, err := s.Claim(ctx, store.ClaimRequest{Owner: "replica-4", States: routed, Now: at, Lease: time.Second})
		if err != nil {
			t.Fatal(err)
		}
		return ids(lines)
	}
	apply(t, s, store.Change{ID: third, From: order.StateRouted, Version: 2, To: order.StateRouted, NextAttemptAt: ptr(t0.Add(-time.Hour))})
	if got := claimAt(t0.Add(29 * time.Second)); len(got) != 0 {
		t.Errorf("leased line postponed into the past: claimed %v during the lease, want nothing", got)
	}
	apply(t, s, store.Change{ID: third, From: order.StateRouted, Version: 3, To: order.StateRouted, NextAttemptAt: ptr(t0.Add(10 * time.Minute))})
	if got := claimAt(t0.Add(2 * time.Minute)); len(got) != 0 {
		t.Errorf("leased line postponed by 10m: claimed %v after the lease, want nothing before 10m", got)
	}
	apply(t, s, store.Change{ID: third, From: order.StateRouted, Version: 4, To: order.StateRouted, ReleaseLease: true})
	if got := claimAt(t0.Add(9 * time.Minute)); len(got) != 0 {
		t.Errorf("released line postponed by 10m: claimed %v at 9m, want nothing", got)
	}
	if got := claimAt(t0.Add(10 * time.Minute)); !slices.Equal(got, []string{third}) {
		t.Errorf("released line postponed by 10m: claim at 10m got %v, want %s", got, third)
	}
}

func testConcurrentClaim(t *testing.T, open Opener) {
	s := open(t)
	ctx := context.Background()
	const orders, perOrder, claimers = 40, 5, 6
	var all []string
	for i := range orders {
		res := intake(t, s, Order("k3", fmt.Sprintf("SO-%03d", i), perOrder))
		all = append(all, res.New...)
	}
	now := time.Now()
	var mu sync.Mutex
	owner := map[string]int{}
	var wg sync.WaitGroup
	for c := range claimers {
		wg.Go(func() {
			for {
				lines, err := s.Claim(ctx, store.ClaimRequest{Owner: fmt.Sprintf("replica-%d", c),
					States: []order.State{order.StateReceived}, Now: now, Limit: 7, Lease: time.Hour})
				if err != nil {
					t.Errorf("Claim: %v", err)
					return
				}
				if len(lines) == 0 {
					return
				}
				mu.Lock()
				for _, l := range lines {
					if prev, ok := owner[l.ID]; ok {
						t.Errorf("line %s claimed by replica-%d and replica-%d", l.ID, prev, c)
					}
					owner[l.ID] = c
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	got := make([]string, 0, len(owner))
	for id := range owner {
		got = append(got, id)
	}
	sort.Strings(got)
	sort.Strings(all)
	if diff := cmp.Diff(all, got); diff != "" {
		t.Errorf("claimed lines (-want +got):\n%s", diff)
	}
}

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
