package k3cloud_test

import (
	"context"
	"testing"

	"github.com/dropship-operator/dropship-operator/dispatcher/config"
	"github.com/dropship-operator/dropship-operator/dispatcher/k3cloud/k3cloudtest"
	"github.com/google/go-cmp/cmp"
)

func TestPaging25000Rows(t *testing.T) {
	srv, u := startSim(t, k3cloudtest.Options{MaxLimit: 2000})
	want, err := srv.SeedSalesOrders(k3cloudtest.SeedOptions{Orders: 25000, Seed: 3, MaxLines: 1})
	if err != nil {
		t.Fatal(err)
	}
	c := newClient(t, u, config.K3CloudAuthSignature)
	srv.ResetCalls()
	rows, err := c.QueryAll(context.Background(), billNoQuery, 2000)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, billNos(rows)); diff != "" {
		t.Errorf("rows differ (-want +got):\n%.2000s", diff)
	}
	if got := srv.CallCount("ExecuteBillQuery"); got != 13 {
		t.Errorf("ExecuteBillQuery calls = %d, want 13 (12 full pages and one of 1000)", got)
	}
}

func TestPagingPitfalls(t *testing.T) {
	cases := map[string]struct {
		reason   string
		maxLimit int
		pageSize int
		top      int
		want     int
	}{
		"TopRowCountIsClientSide": {"TopRowCount 4500 with pages of 2000 gives 4500 rows, not 2000", 2000, 2000, 4500, 4500},
		"ServerClampsLimit":       {"pages of 10000 asked, server max 2000: the scan goes on", 2000, 10000, 0, 5000},
		"SmallPages":              {"pages of 999", 2000, 999, 0, 5000},
		"ConfiguredLowMax":        {"a server configured to 1000 rows, pages of 5000 asked", 1000, 5000, 0, 5000},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			srv, u := startSim(t, k3cloudtest.Options{MaxLimit: tc.maxLimit})
			if _, err := srv.SeedSalesOrders(k3cloudtest.SeedOptions{Orders: 5000, Seed: 4, MaxLines: 1}); err != nil {
				t.Fatal(err)
			}
			c := newClient(t, u, config.K3CloudAuthSignature)
			q := billNoQuery
			q.TopRowCount = tc.top
			rows, err := c.QueryAll(context.Background(), q, tc.pageSize)
			if err != nil {
				t.Fatal(err)
			}
			if len(rows) != tc.want {
				t.Errorf("%s\nrows = %d, want %d", tc.reason, len(rows), tc.want)
			}
			seen := map[string]bool{}
			for _, r := range rows {
				if seen[r.String(0)] {
					t.Fatalf("%s\nrow %s twice", tc.reason, r.String(0))
				}
				seen[r.String(0)] = true
			}
		})
	}
}
