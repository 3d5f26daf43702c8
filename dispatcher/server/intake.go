package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/dropship-operator/dropship-operator/dispatcher/order"
)

// Limits of one intake request.
const (
	MaxIntakeBytes  = 8 << 20
	MaxIntakeOrders = 1000
)

// ErrMalformed: the body is not an order, a list of orders or {"orders": [...]}.
var ErrMalformed = errors.New("malformed intake payload")

// ParseOrders reads an intake body: one order object, a JSON array of orders, or an object
// {"orders": [...]}. Unknown fields are refused so a misspelt field is not silently lost.
func ParseOrders(body []byte) ([]*order.Order, error) {
	b := bytes.TrimLeft(body, " \t\r\n")
	if len(b) == 0 {
		return nil, fmt.Errorf("cannot parse orders: empty body: %w", ErrMalformed)
	}
	var orders []*order.Order
	switch b[0] {
	case '[':
		if err := strictDecode(b, &orders); err != nil {
			return nil, fmt.Errorf("cannot parse orders: %w: %w", ErrMalformed, err)
		}
	case '{':
		var probe map[string]json.RawMessage
		if err := json.Unmarshal(b, &probe); err != nil {
			return nil, fmt.Errorf("cannot parse orders: %w: %w", ErrMalformed, err)
		}
		if raw, ok := probe["orders"]; ok && len(probe) == 1 {
			if err := strictDecode(raw, &orders); err != nil {
				return nil, fmt.Errorf("cannot parse orders: %w: %w", ErrMalformed, err)
			}
			break
		}
		var o order.Order
		if err := strictDecode(b, &o); err != nil {
			return nil, fmt.Errorf("cannot parse order: %w: %w", ErrMalformed, err)
		}
		orders = []*order.Order{&o}
	default:
		return nil, fmt.Errorf("cannot parse orders: want a JSON object or array: %w", ErrMalformed)
	}
	if len(orders) == 0 {
		return nil, fmt.Errorf("cannot parse orders: no orders: %w", ErrMalformed)
	}
	if len(orders) > MaxIntakeOrders {
		return nil, fmt.Errorf("cannot parse orders: %d orders, more than %d: %w", len(orders), MaxIntakeOrders, ErrMalformed)
	}
	for i, o := range orders {
		if o == nil {
			return nil, fmt.Errorf("cannot parse orders: order %d is null: %w", i, ErrMalformed)
		}
	}
	return orders, nil
}

func strictDecode(b []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if dec.More() {
		return errors.New("trailing data after the JSON value")
	}
	return nil
}

// OrderErrors are the field errors of one order of a batch.
type OrderErrors struct {
	Index  int                `json:"index"`
	BillNo string             `json:"billNo,omitempty"`
	Errors []order.FieldError `json:"errors"`
}

// validate fills in the source and validates every order; it returns the errors per order.
func validate(orders []*order.Order, source string) []OrderErrors {
	var bad []OrderErrors
	for i, o := range orders {
		var fe order.FieldErrors
		if o.Source == "" {
			o.Source = source
		} else if o.Source != source {
			fe = append(fe, order.FieldError{Field: "source", Reason: fmt.Sprintf("must be %q (or empty)", source)})
		}
		if err := o.Validate(); err != nil {
			var v order.FieldErrors
			if errors.As(err, &v) {
				fe = append(fe, v...)
			} else {
				fe = append(fe, order.FieldError{Field: "", Reason: err.Error()})
			}
		}
		if len(fe) > 0 {
			bad = append(bad, OrderErrors{Index: i, BillNo: o.BillNo, Errors: fe})
		}
	}
	return bad
}
