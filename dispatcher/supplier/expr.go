package supplier

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/google/cel-go/cel"
	celast "github.com/google/cel-go/common/ast"
	"github.com/google/cel-go/common/types"
)

// celCostLimit bounds one evaluation of a supplier expression.
const celCostLimit = 100_000

// boolExpr is a compiled CEL expression over a decoded JSON answer. The whole answer is
// bound as `body`; each top-level key of a JSON object answer is also bound as a variable
// of its own name (null when the answer lacks it), so `code == 0` and
// `body.code == 0` mean the same.
type boolExpr struct {
	src  string
	prg  cel.Program
	vars []string
}

// compileBool compiles src; the empty expression compiles to nil (always true).
func compileBool(src string) (*boolExpr, error) {
	if strings.TrimSpace(src) == "" {
		return nil, nil
	}
	base, err := cel.NewEnv()
	if err != nil {
		return nil, fmt.Errorf("cannot create CEL environment: %w", err)
	}
	parsed, iss := base.Parse(src)
	if iss.Err() != nil {
		return nil, fmt.Errorf("cannot parse expression %q: %w", src, iss.Err())
	}
	idents := map[string]bool{}
	celast.PreOrderVisit(celast.NavigateAST(parsed.NativeRep()), celast.NewExprVisitor(func(e celast.Expr) {
		if e.Kind() == celast.IdentKind {
			idents[e.AsIdent()] = true
		}
	}))
	delete(idents, "body")
	opts := []cel.EnvOption{cel.Variable("body", cel.DynType)}
	vars := make([]string, 0, len(idents))
	for id := range idents {
		vars = append(vars, id)
	}
	sort.Strings(vars)
	for _, id := range vars {
		opts = append(opts, cel.Variable(id, cel.DynType))
	}
	env, err := cel.NewEnv(opts...)
	if err != nil {
		return nil, fmt.Errorf("cannot create CEL environment: %w", err)
	}
	checked, iss := env.Compile(src)
	if iss.Err() != nil {
		return nil, fmt.Errorf("cannot compile expression %q: %w", src, iss.Err())
	}
	if t := checked.OutputType(); !t.IsExactType(types.BoolType) && !t.IsExactType(types.DynType) {
		return nil, fmt.Errorf("cannot use expression %q: it yields %s, not bool", src, t)
	}
	prg, err := env.Program(checked, cel.CostLimit(celCostLimit))
	if err != nil {
		return nil, fmt.Errorf("cannot plan expression %q: %w", src, err)
	}
	return &boolExpr{src: src, prg: prg, vars: vars}, nil
}

// Eval evaluates the expression over the decoded answer.
func (b *boolExpr) Eval(body any) (bool, error) {
	act := make(map[string]any, len(b.vars)+1)
	act["body"] = body
	obj, _ := body.(map[string]any)
	for _, v := range b.vars {
		act[v] = obj[v] // nil (null) when missing
	}
	out, _, err := b.prg.Eval(act)
	if err != nil {
		return false, fmt.Errorf("cannot evaluate expression %q: %w", b.src, err)
	}
	v, ok := out.Value().(bool)
	if !ok {
		return false, fmt.Errorf("cannot use expression %q: it yielded %v, not bool", b.src, out.Type())
	}
	return v, nil
}

// decodeJSON decodes an answer keeping numbers exact: integral numbers become int64,
// others float64, so CEL sees `0` as an int and paths print ids without exponents.
func decodeJSON(b []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if dec.More() {
		return nil, fmt.Errorf("unexpected data after the JSON value")
	}
	return normalizeNumbers(v), nil
}

func normalizeNumbers(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			x[k] = normalizeNumbers(e)
		}
	case []any:
		for i, e := range x {
			x[i] = normalizeNumbers(e)
		}
	case json.Number:
		if i, err := x.Int64(); err == nil {
			return i
		}
		if f, err := x.Float64(); err == nil {
			return f
		}
		return x.String()
	}
	return v
}

// lookupPath walks a dotted path ("data.order_id", "items.0.id" or "items[0].id") through a
// decoded answer; ok is false when a step is missing.
func lookupPath(v any, path string) (any, bool) {
	if path == "" {
		return nil, false
	}
	path = strings.NewReplacer("[", ".", "]", "").Replace(path)
	for _, step := range strings.Split(path, ".") {
		if step == "" {
			continue
		}
		switch x := v.(type) {
		case map[string]any:
			e, ok := x[step]
			if !ok {
				return nil, false
			}
			v = e
		case []any:
			i, err := strconv.Atoi(step)
			if err != nil || i < 0 || i >= len(x) {
				return nil, false
			}
			v = x[i]
		default:
			return nil, false
		}
	}
	return v, true
}

// stringAt returns the value at path as a string ("" when missing or not a scalar).
func stringAt(v any, path string) string {
	e, ok := lookupPath(v, path)
	if !ok {
		return ""
	}
	switch x := e.(type) {
	case string:
		return x
	case int64:
		return strconv.FormatInt(x, 10)
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(x)
	}
	return ""
}
