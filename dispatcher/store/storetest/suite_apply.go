package storetest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/dropship-operator/dropship-operator/dispatcher/order"
	"github.com/dropship-operator/dropship-operator/dispatcher/store"
)

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
	acceptedAt := l.AcceptedAt
	apply(t, s, store.Change{ID: id, From: order.StateAccepted, Version: 7, To: order.StateAccepted, ReleaseLease: true})
	if l = get(t, s, id); !l.AcceptedAt.Equal(acceptedAt) {
		t.Errorf("an update of an Accepted line moved AcceptedAt from %v to %v", acceptedAt, l.AcceptedAt)
	}
	ship := &order.Shipment{Carrier: "SF", TrackingNo: "SF1234567890", ShippedAt: time.Date(2026, 11, 3, 15, 4, 5, 0, time.UTC)}
	apply(t, s, store.Change{ID: id, From: order.StateAccepted, Version: 8, To: order.StateRecorded, PurchaseOrderNo: ptr("CGDD000123")})
	apply(t, s, store.Change{ID: id, From: order.StateRecorded, Version: 9, To: order.StateShipped, Shipment: ship, ShipmentWrittenBack: ptr(true)})
	l = get(t, s, id)
	if diff := cmp.Diff(ship, l.Shipment); diff != "" {
		t.Errorf("shipment (-want +got):\n%s", diff)
	}
	if !l.ShipmentWrittenBack || l.PurchaseOrderNo != "CGDD000123" || l.SupplierOrderID != "B-778" || l.Version != 10 {
		t.Errorf("shipped line: written back %v PO %q supplier order %q version %d; want true CGDD000123 B-778 10",
			l.ShipmentWrittenBack, l.PurchaseOrderNo, l.SupplierOrderID, l.Version)
	}
	apply(t, s, store.Change{ID: id, From: order.StateShipped, Version: 10, To: order.StateShipped, ShipmentWrittenBack: ptr(false), Reason: ptr("")})
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
