package app_test

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/go-logr/logr/testr"

	"github.com/dropship-operator/dropship-operator/dispatcher/app"
	"github.com/dropship-operator/dropship-operator/dispatcher/app/apptest"
	"github.com/dropship-operator/dropship-operator/dispatcher/order"
)

// TestSKUMapFileDecidesEligibility: a supplier whose mounted SKU map (catalog.skuMapRef)
// lacks the ordered SKUs must get none of those lines — routing has to read the file, not
// only the inline catalog.
func TestSKUMapFileDecidesEligibility(t *testing.T) {
	dir := t.TempDir()
	env, err := apptest.New(apptest.Options{Dir: dir, Weights: []int32{1, 1}, Delivery: fastDelivery()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = env.Close() })
	csv := filepath.Join(dir, "sup-00-skus.csv")
	if err := os.WriteFile(csv, []byte("sku,supplierSku,price,stock,leadTimeHours\nOTHER-1,X-1,1.00,,\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	env.Config.Suppliers[0].Catalog.SKUMapFile = csv

	d := run(t, env.Config, app.Options{Owner: "test", Lease: 2 * time.Second, Log: testr.New(t)})

	const n = 40
	post(t, apptest.NewClient(d.Addr()), apptest.Orders("CAT", 0, n))
	waitFor(t, d, "every line accepted", 30*time.Second, func(c map[order.State]int64) bool {
		return c[order.StateAccepted]+c[order.StateShipped]+c[order.StateClosed] == n
	})
	for _, s := range env.Fleet.Stats() {
		switch s.Name {
		case apptest.Name(0):
			if s.Accepted != 0 {
				t.Errorf("%s accepted %d lines whose SKU is not in its SKU map", s.Name, s.Accepted)
			}
		case apptest.Name(1):
			if s.Accepted != n {
				t.Errorf("%s accepted %d lines, want all %d", s.Name, s.Accepted, n)
			}
		}
	}
}
