package config

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"strings"
	"time"
)

// ReadSKUMap reads a catalog CSV: one item per row, columns
//
//	sku,supplierSku,price,stock,leadTimeHours
//
// of which only sku is required (trailing columns may be left out, and an empty cell means
// unset: the supplier's SKU is ours, no price, stock not tracked). A first row starting
// with "sku" is a header; rows starting with "#" are comments.
func ReadSKUMap(r io.Reader) ([]CatalogItem, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.Comment = '#'
	cr.TrimLeadingSpace = true
	var items []CatalogItem
	for first := true; ; first = false {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return items, nil
		}
		if err != nil {
			return nil, fmt.Errorf("cannot parse SKU map: %w", err)
		}
		line, _ := cr.FieldPos(0)
		if first && strings.EqualFold(strings.TrimSpace(rec[0]), "sku") {
			continue
		}
		it, err := catalogRow(rec)
		if err != nil {
			return nil, fmt.Errorf("cannot parse SKU map line %d: %w", line, err)
		}
		items = append(items, it)
	}
}

func catalogRow(rec []string) (CatalogItem, error) {
	if len(rec) > 5 {
		return CatalogItem{}, fmt.Errorf("has %d columns, want at most 5 (sku,supplierSku,price,stock,leadTimeHours)", len(rec))
	}
	col := func(i int) string {
		if i < len(rec) {
			return strings.TrimSpace(rec[i])
		}
		return ""
	}
	it := CatalogItem{SKU: col(0), SupplierSKU: col(1)}
	if it.SKU == "" {
		return it, errors.New("sku is empty")
	}
	if v := col(2); v != "" {
		p, err := strconv.ParseFloat(v, 64)
		if err != nil || p < 0 || math.IsInf(p, 0) || math.IsNaN(p) {
			return it, fmt.Errorf("price %q is not a number of at least 0", v)
		}
		it.Price = p
	}
	if v := col(3); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 {
			return it, fmt.Errorf("stock %q is not a whole number of at least 0", v)
		}
		it.Stock = &n
	}
	if v := col(4); v != "" {
		h, err := strconv.ParseFloat(v, 64)
		if err != nil || h < 0 || h > 24*365 {
			return it, fmt.Errorf("leadTimeHours %q is not a number of hours between 0 and 8760", v)
		}
		it.LeadTime = D(time.Duration(h * float64(time.Hour)))
	}
	return it, nil
}

// Resolve returns the catalog with SKUMapFile read and merged over SKUs: a row of the file
// replaces the inline item of the same SKU. Without a file it returns c as is.
func (c Catalog) Resolve() (Catalog, error) {
	if c.SKUMapFile == "" {
		return c, nil
	}
	f, err := os.Open(c.SKUMapFile)
	if err != nil {
		return c, fmt.Errorf("cannot open SKU map %q: %w", c.SKUMapFile, err)
	}
	defer f.Close()
	rows, err := ReadSKUMap(f)
	if err != nil {
		return c, fmt.Errorf("cannot read SKU map %q: %w", c.SKUMapFile, err)
	}
	out := Catalog{SKUMapFile: c.SKUMapFile}
	index := map[string]int{}
	for _, it := range append(append([]CatalogItem(nil), c.SKUs...), rows...) {
		if i, ok := index[it.SKU]; ok {
			out.SKUs[i] = it
			continue
		}
		index[it.SKU] = len(out.SKUs)
		out.SKUs = append(out.SKUs, it)
	}
	return out, nil
}

// ResolveCatalogs resolves every supplier's catalog in place (see Catalog.Resolve), so
// routing and the adapters see the mounted SKU maps. The dispatcher calls it once after
// Load.
func (c *DispatcherConfig) ResolveCatalogs() error {
	for i := range c.Suppliers {
		cat, err := c.Suppliers[i].Catalog.Resolve()
		if err != nil {
			return fmt.Errorf("cannot resolve the catalog of supplier %q: %w", c.Suppliers[i].Name, err)
		}
		c.Suppliers[i].Catalog = cat
	}
	return nil
}
