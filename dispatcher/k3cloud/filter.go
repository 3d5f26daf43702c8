package k3cloud

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// FilterTimeLayout is how dates are written in FilterString literals.
const FilterTimeLayout = "2006-01-02 15:04:05"

var fieldKeyRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)?$`)

// ValidFieldKey reports whether k looks like a K3Cloud field key ("FQty",
// "FMaterialId.FNumber", "FSaleOrderEntry_FEntryID"): it can be put into a FilterString or
// FieldKeys without quoting.
func ValidFieldKey(k string) bool { return fieldKeyRE.MatchString(k) }

// Filter is a FilterString built from parts whose literals are escaped: user data never
// reaches the filter by concatenation. The zero Filter matches everything.
type Filter struct {
	expr string
	err  error
}

// String is the FilterString text.
func (f Filter) String() string { return f.expr }

// Err is the first problem met while building the filter (an invalid field key or a
// literal of an unsupported type).
func (f Filter) Err() error { return f.err }

// IsZero reports whether the filter is empty.
func (f Filter) IsZero() bool { return f.expr == "" && f.err == nil }

// Raw wraps a trusted FilterString written by an operator (the OrderSource's filter). It is
// always put in parentheses when combined.
func Raw(s string) Filter { return Filter{expr: strings.TrimSpace(s)} }

// Literal renders a value as a FilterString literal: strings quoted with ' doubled,
// time.Time as 'yyyy-MM-dd HH:mm:ss' (in its own location), numbers as numbers, booleans
// as 1/0.
func Literal(v any) (string, error) {
	switch x := v.(type) {
	case string:
		return "'" + strings.ReplaceAll(x, "'", "''") + "'", nil
	case time.Time:
		return "'" + x.Format(FilterTimeLayout) + "'", nil
	case int:
		return strconv.Itoa(x), nil
	case int64:
		return strconv.FormatInt(x, 10), nil
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64), nil
	case bool:
		if x {
			return "1", nil
		}
		return "0", nil
	}
	return "", fmt.Errorf("cannot write %T as a filter literal", v)
}

func cmpFilter(field, op string, v any) Filter {
	if !ValidFieldKey(field) {
		return Filter{err: fmt.Errorf("cannot filter on field %q: not a field key", field)}
	}
	lit, err := Literal(v)
	if err != nil {
		return Filter{err: fmt.Errorf("cannot filter on field %q: %w", field, err)}
	}
	return Filter{expr: field + " " + op + " " + lit}
}

// Eq is field = v.
func Eq(field string, v any) Filter { return cmpFilter(field, "=", v) }

// Ne is field <> v.
func Ne(field string, v any) Filter { return cmpFilter(field, "<>", v) }

// Gt is field > v.
func Gt(field string, v any) Filter { return cmpFilter(field, ">", v) }

// Ge is field >= v.
func Ge(field string, v any) Filter { return cmpFilter(field, ">=", v) }

// Lt is field < v.
func Lt(field string, v any) Filter { return cmpFilter(field, "<", v) }

// Le is field <= v.
func Le(field string, v any) Filter { return cmpFilter(field, "<=", v) }

// Like is field like pattern; % and _ in the pattern are wildcards, quotes are escaped.
func Like(field, pattern string) Filter { return cmpFilter(field, "like", pattern) }

// In is field in (v1, v2, …). An empty list matches nothing.
func In[T any](field string, values ...T) Filter {
	if !ValidFieldKey(field) {
		return Filter{err: fmt.Errorf("cannot filter on field %q: not a field key", field)}
	}
	if len(values) == 0 {
		return Filter{expr: "1 = 0"}
	}
	lits := make([]string, len(values))
	for i, v := range values {
		l, err := Literal(any(v))
		if err != nil {
			return Filter{err: fmt.Errorf("cannot filter on field %q: %w", field, err)}
		}
		lits[i] = l
	}
	return Filter{expr: field + " in (" + strings.Join(lits, ",") + ")"}
}

// And joins filters with and; each part is parenthesised, empty parts are skipped.
func And(fs ...Filter) Filter { return join(" and ", fs) }

// Or joins filters with or; each part is parenthesised, empty parts are skipped.
func Or(fs ...Filter) Filter { return join(" or ", fs) }

func join(op string, fs []Filter) Filter {
	var parts []string
	for _, f := range fs {
		if f.err != nil {
			return f
		}
		if f.expr != "" {
			parts = append(parts, f.expr)
		}
	}
	if len(parts) == 1 {
		return Filter{expr: parts[0]}
	}
	for i := range parts {
		parts[i] = "(" + parts[i] + ")"
	}
	return Filter{expr: strings.Join(parts, op)}
}
