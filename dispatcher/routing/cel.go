package routing

import (
	"errors"
	"fmt"

	"github.com/google/cel-go/cel"

	"github.com/dropship-operator/dropship-operator/dispatcher/order"
)

// celCostLimit bounds the work one expression may do on one line.
const celCostLimit = 10000

func newCELEnv() (*cel.Env, error) {
	m := cel.MapType(cel.StringType, cel.DynType)
	return cel.NewEnv(
		cel.Variable("order", m),
		cel.Variable("line", m),
		cel.CrossTypeNumericComparisons(true),
	)
}

// compileExpr compiles a match expression, which must be boolean.
func compileExpr(env *cel.Env, src string) (cel.Program, error) {
	ast, iss := env.Compile(src)
	if iss.Err() != nil {
		return nil, iss.Err()
	}
	if t := ast.OutputType(); t != cel.BoolType && t != cel.DynType {
		return nil, fmt.Errorf("must be a boolean expression, not %s", t)
	}
	return env.Program(ast, cel.EvalOptions(cel.OptOptimize), cel.CostLimit(celCostLimit))
}

var errNotBool = errors.New("expression did not return a boolean")

// evalExpr runs a compiled expression over the order and line maps.
func evalExpr(p cel.Program, om, lm map[string]any) (bool, error) {
	out, _, err := p.Eval(map[string]any{"order": om, "line": lm})
	if err != nil {
		return false, err
	}
	b, ok := out.Value().(bool)
	if !ok {
		return false, errNotBool
	}
	return b, nil
}

// orderMap is the canonical JSON shape of an order as CEL sees it (field names as in the
// JSON encoding; times as CEL timestamps, numbers as doubles).
func orderMap(o *order.Order) map[string]any {
	lines := make([]any, len(o.Lines))
	for i := range o.Lines {
		lines[i] = lineMap(&o.Lines[i])
	}
	return map[string]any{
		"source": o.Source, "billNo": o.BillNo, "billID": o.BillID, "customer": o.Customer,
		"currency": o.Currency, "note": o.Note, "createdAt": o.CreatedAt, "approvedAt": o.ApprovedAt,
		"shipTo": map[string]any{
			"name": o.ShipTo.Name, "phone": o.ShipTo.Phone, "province": o.ShipTo.Province,
			"city": o.ShipTo.City, "district": o.ShipTo.District, "address": o.ShipTo.Address,
			"postalCode": o.ShipTo.PostalCode,
		},
		"lines": lines,
	}
}

func lineMap(l *order.Line) map[string]any {
	return map[string]any{
		"entryID": l.EntryID, "sku": l.SKU, "name": l.Name, "quantity": l.Quantity,
		"unitPrice": l.UnitPrice, "note": l.Note,
	}
}
