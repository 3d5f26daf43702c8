package storetest

import (
	"context"
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
