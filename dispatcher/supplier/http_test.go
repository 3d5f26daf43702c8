package supplier_test

import (
	"testing"

	"github.com/dropship-operator/dropship-operator/dispatcher/supplier"
	"github.com/dropship-operator/dropship-operator/dispatcher/supplier/suppliertest"
)

func TestHTTPAdapterConformance(t *testing.T) {
	suppliertest.RunAdapterConformance(t, func(t *testing.T, env suppliertest.ConformanceEnv) supplier.Adapter {
		a, err := supplier.NewHTTP(env.Supplier, supplier.HTTPOptions{})
		if err != nil {
			t.Fatalf("NewHTTP: %v", err)
		}
		return a
	})
}
