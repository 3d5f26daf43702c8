package health

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestRoutedShares(t *testing.T) {
	c := newClock(t0)
	tr := newTracker(t, testConfig(), c)
	for range 3 {
		tr.RecordRouted("main", "c")
	}
	tr.RecordRouted("main", "d")
	tr.RecordRouted("backup", "d")
	want := []RoutedShare{
		{Rule: "backup", Supplier: "d", Lines: 1, Share: 1},
		{Rule: "main", Supplier: "c", Lines: 3, Share: 0.75},
		{Rule: "main", Supplier: "d", Lines: 1, Share: 0.25},
	}
	if diff := cmp.Diff(want, tr.RoutedShares()); diff != "" {
		t.Errorf("shares (-want +got):\n%s", diff)
	}
	c.Advance(4 * time.Minute)
	tr.RecordRouted("main", "d")
	c.Advance(time.Minute + time.Second) // the first lines left the 5m window
	want = []RoutedShare{{Rule: "main", Supplier: "d", Lines: 1, Share: 1}}
	if diff := cmp.Diff(want, tr.RoutedShares()); diff != "" {
		t.Errorf("after the window slid (-want +got):\n%s", diff)
	}
}
