package order

import (
	"fmt"
	"math"
	"strings"
	"unicode/utf8"
)

// FieldError is one problem with one field of an order, named by its JSON path
// (for example "lines[2].quantity").
type FieldError struct {
	Field  string `json:"field"`
	Reason string `json:"reason"`
}

func (e FieldError) Error() string { return e.Field + ": " + e.Reason }

// FieldErrors is every problem found in one order.
type FieldErrors []FieldError

func (e FieldErrors) Error() string {
	parts := make([]string, len(e))
	for i, fe := range e {
		parts[i] = fe.Error()
	}
	return "invalid order: " + strings.Join(parts, "; ")
}

// Limits on what one order may carry. They keep a malformed or hostile payload from
// filling the journal.
const (
	MaxLines       = 500
	maxShortString = 128
	maxLongString  = 1024
)

// Validate checks the order and returns every problem found as FieldErrors, or nil.
func (o *Order) Validate() error {
	var errs FieldErrors
	add := func(field, format string, args ...any) {
		errs = append(errs, FieldError{Field: field, Reason: fmt.Sprintf(format, args...)})
	}
	str := func(field, v string, required bool, max int) {
		switch {
		case required && strings.TrimSpace(v) == "":
			add(field, "is required")
		case !utf8.ValidString(v):
			add(field, "is not valid UTF-8")
		case utf8.RuneCountInString(v) > max:
			add(field, "is longer than %d characters", max)
		}
	}
	str("source", o.Source, true, maxShortString)
	str("billNo", o.BillNo, true, maxShortString)
	str("billID", o.BillID, false, maxShortString)
	str("customer", o.Customer, false, maxShortString)
	str("currency", o.Currency, false, 3)
	str("note", o.Note, false, maxLongString)
	str("shipTo.name", o.ShipTo.Name, true, maxShortString)
	str("shipTo.phone", o.ShipTo.Phone, true, 32)
	str("shipTo.province", o.ShipTo.Province, true, maxShortString)
	str("shipTo.city", o.ShipTo.City, false, maxShortString)
	str("shipTo.district", o.ShipTo.District, false, maxShortString)
	str("shipTo.address", o.ShipTo.Address, true, maxLongString)
	str("shipTo.postalCode", o.ShipTo.PostalCode, false, 16)
	switch {
	case len(o.Lines) == 0:
		add("lines", "must have at least one line")
	case len(o.Lines) > MaxLines:
		add("lines", "has %d lines, more than the limit of %d", len(o.Lines), MaxLines)
	}
	seen := make(map[string]int, len(o.Lines))
	for i, l := range o.Lines {
		p := fmt.Sprintf("lines[%d]", i)
		str(p+".entryID", l.EntryID, true, maxShortString)
		str(p+".sku", l.SKU, true, maxShortString)
		str(p+".name", l.Name, false, maxLongString)
		str(p+".note", l.Note, false, maxLongString)
		if math.IsNaN(l.Quantity) || math.IsInf(l.Quantity, 0) || l.Quantity <= 0 {
			add(p+".quantity", "must be a number greater than 0")
		}
		if math.IsNaN(l.UnitPrice) || math.IsInf(l.UnitPrice, 0) || l.UnitPrice < 0 {
			add(p+".unitPrice", "must be a number of at least 0")
		}
		if j, dup := seen[l.EntryID]; dup && l.EntryID != "" {
			add(p+".entryID", "duplicates lines[%d].entryID %q", j, l.EntryID)
		} else {
			seen[l.EntryID] = i
		}
	}
	if len(errs) == 0 {
		return nil
	}
	return errs
}
