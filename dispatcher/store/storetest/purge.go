package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/dropship-operator/dropship-operator/dispatcher/order"
	"github.com/dropship-operator/dropship-operator/dispatcher/store"
)

// PurgeOrdersCheck is for a backend's own tests: it journals three orders (one cancelled,
// one half cancelled, one in flight), purges, and checks with orderRows, which counts the
// backend's stored order rows, that exactly the emptied order's row went.
func PurgeOrdersCheck(t *testing.T, s store.Store, orderRows func() int) {
	t.Helper()
	cancel := func(id string) {
		t.Helper()
		apply(t, s, store.Change{ID: id, From: order.StateReceived, Version: 1, To: order.StateCancelled})
	}
	cancel(intake(t, s, Order("k3", "SO-1", 1)).New[0])
	cancel(intake(t, s, Order("k3", "SO-2", 2)).New[0])
	intake(t, s, Order("k3", "SO-3", 1))
	if n := orderRows(); n != 3 {
		t.Fatalf("%d order rows before the purge, want 3", n)
	}
	n, err := s.Purge(context.Background(), time.Now().Add(time.Hour), 0)
	if err != nil || n != 2 {
		t.Fatalf("Purge: %d %v, want 2 lines", n, err)
	}
	if n := orderRows(); n != 2 {
		t.Errorf("%d order rows after the purge, want 2 (SO-2 keeps a line)", n)
	}
}
