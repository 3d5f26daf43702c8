package config

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestReadSKUMap(t *testing.T) {
	ten := int64(10)
	cases := map[string]struct {
		csv     string
		want    []CatalogItem
		wantErr string
	}{
		"header, comments and partial rows": {
			csv: "sku,supplierSku,price,stock,leadTimeHours\n# a comment\nA-1,SUP-A1,8.5,10,36\nB-2\nC-3,,, ,1.5\n",
			want: []CatalogItem{
				{SKU: "A-1", SupplierSKU: "SUP-A1", Price: 8.5, Stock: &ten, LeadTime: D(36 * time.Hour)},
				{SKU: "B-2"},
				{SKU: "C-3", LeadTime: D(90 * time.Minute)},
			},
		},
		"no header":          {csv: "A-1,S1\n", want: []CatalogItem{{SKU: "A-1", SupplierSKU: "S1"}}},
		"empty":              {csv: "", want: nil},
		"empty sku":          {csv: "sku\n,S1\n", wantErr: "line 2: sku is empty"},
		"bad price":          {csv: "A,S,cheap\n", wantErr: "price"},
		"negative stock":     {csv: "A,S,1,-1\n", wantErr: "stock"},
		"bad lead time":      {csv: "A,S,1,1,forever\n", wantErr: "leadTimeHours"},
		"too many columns":   {csv: "A,S,1,1,1,extra\n", wantErr: "at most 5"},
		"unterminated quote": {csv: "\"A,S\n", wantErr: "cannot parse"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got, err := ReadSKUMap(strings.NewReader(tc.csv))
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want one containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("items mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestResolveCatalogs(t *testing.T) {
	file := filepath.Join(t.TempDir(), "skus.csv")
	if err := os.WriteFile(file, []byte("sku,supplierSku,price\nA-1,FILE-A1,9\nC-3,FILE-C3,3\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	c := &DispatcherConfig{Suppliers: []Supplier{
		{Name: "a", Catalog: Catalog{SKUs: []CatalogItem{{SKU: "A-1", SupplierSKU: "INLINE-A1", Price: 8}, {SKU: "B-2"}}, SKUMapFile: file}},
		{Name: "b", Catalog: Catalog{SKUs: []CatalogItem{{SKU: "X"}}}},
	}}
	if err := c.ResolveCatalogs(); err != nil {
		t.Fatal(err)
	}
	want := []CatalogItem{{SKU: "A-1", SupplierSKU: "FILE-A1", Price: 9}, {SKU: "B-2"}, {SKU: "C-3", SupplierSKU: "FILE-C3", Price: 3}}
	if diff := cmp.Diff(want, c.Suppliers[0].Catalog.SKUs); diff != "" {
		t.Errorf("merged catalog mismatch (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]CatalogItem{{SKU: "X"}}, c.Suppliers[1].Catalog.SKUs); diff != "" {
		t.Errorf("a catalog without a file changed (-want +got):\n%s", diff)
	}
	c.Suppliers[0].Catalog.SKUMapFile = filepath.Join(t.TempDir(), "missing.csv")
	if err := c.ResolveCatalogs(); !errors.Is(err, os.ErrNotExist) || !strings.Contains(err.Error(), `supplier "a"`) {
		t.Errorf("missing file: err = %v, want one wrapping os.ErrNotExist naming the supplier", err)
	}
}
