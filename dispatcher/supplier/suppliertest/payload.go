package suppliertest

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/dropship-operator/dropship-operator/dispatcher/order"
)

// Submission is what the simulator needs from a request body.
type Submission struct {
	CallbackURL string
	// Lines are "source/billNo/entryID" keys (order.LineID).
	Lines []string
	// SKUs are the supplier SKUs ordered, checked against Options.KnownSKUs.
	SKUs []string
}

// ParseDefaultPayload reads supplier.DefaultPayload; it is the default Options.Parse.
func ParseDefaultPayload(body []byte) (Submission, error) {
	var p struct {
		CallbackURL string `json:"callbackUrl"`
		Order       struct {
			Source string `json:"source"`
			BillNo string `json:"billNo"`
		} `json:"order"`
		Items []struct {
			EntryID     string `json:"entryID"`
			SKU         string `json:"sku"`
			SupplierSKU string `json:"supplierSku"`
		} `json:"items"`
	}
	if err := json.Unmarshal(body, &p); err != nil {
		return Submission{}, fmt.Errorf("cannot decode order: %w", err)
	}
	if p.Order.BillNo == "" || len(p.Items) == 0 {
		return Submission{}, errors.New("cannot accept order: order.billNo and items are required")
	}
	s := Submission{CallbackURL: p.CallbackURL}
	for _, it := range p.Items {
		if it.EntryID == "" {
			return Submission{}, errors.New("cannot accept order: items[].entryID is required")
		}
		s.Lines = append(s.Lines, order.LineID(p.Order.Source, p.Order.BillNo, it.EntryID))
		sku := it.SupplierSKU
		if sku == "" {
			sku = it.SKU
		}
		s.SKUs = append(s.SKUs, sku)
	}
	return s, nil
}
