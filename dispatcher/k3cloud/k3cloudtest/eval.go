package k3cloudtest

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

func (n andNode) eval(r *rowCtx) bool { return n.l.eval(r) && n.r.eval(r) }

func (n orNode) eval(r *rowCtx) bool { return n.l.eval(r) || n.r.eval(r) }

func (n notNode) eval(r *rowCtx) bool { return !n.n.eval(r) }

func (n constNode) eval(*rowCtx) bool { return bool(n) }

func (n *inNode) index() {
	n.fast, n.text, n.numLit, n.numAll = true, map[string]bool{}, map[string]bool{}, map[string]bool{}
	for _, v := range n.vals {
		switch x := v.lit.(type) {
		case float64:
			n.numLit[fmtNum(x)] = true
			n.numAll[fmtNum(x)] = true
		case string:
			if v.field != nil {
				n.fast = false
				return
			}
			n.text[strings.ToLower(x)] = true
			if f, err := strconv.ParseFloat(strings.TrimSpace(x), 64); err == nil {
				n.numAll[fmtNum(f)] = true
			}
		default:
			n.fast = false
			return
		}
	}
}

func (n inNode) lookup(v any) (found, ok bool) {
	switch x := v.(type) {
	case float64:
		return n.numAll[fmtNum(x)], true
	case string:
		if n.text[strings.ToLower(x)] {
			return true, true
		}
		if f, err := strconv.ParseFloat(strings.TrimSpace(x), 64); err == nil {
			return n.numLit[fmtNum(f)], true
		}
		return false, true
	}
	return false, false
}

// value of an operand in a row: nil (NULL), string, float64, time.Time or bool.
func (o operand) value(r *rowCtx) any {
	if o.field == nil {
		return o.lit
	}
	return r.get(*o.field)
}

// compare returns -1/0/1 and whether the two values are comparable (not NULL).
func compare(a, b any, loc *time.Location) (int, bool) {
	if a == nil || b == nil {
		return 0, false
	}
	switch x := a.(type) {
	case time.Time:
		if x.IsZero() {
			return 0, false
		}
		y, ok := toTime(b, loc)
		if !ok {
			return 0, false
		}
		return x.Compare(y), true
	case float64:
		y, ok := toFloat(b)
		if !ok {
			return strings.Compare(fmtNum(x), fmt.Sprint(b)), true
		}
		return cmpFloat(x, y), true
	case bool:
		y, ok := toFloat(b)
		if !ok {
			s := strings.ToLower(fmt.Sprint(b))
			y, ok = 0, true
			if s == "true" {
				y = 1
			}
		}
		xf := 0.0
		if x {
			xf = 1
		}
		return cmpFloat(xf, y), ok
	case string:
		switch y := b.(type) {
		case string:
			return strings.Compare(strings.ToLower(x), strings.ToLower(y)), true
		case float64:
			if xf, err := strconv.ParseFloat(x, 64); err == nil {
				return cmpFloat(xf, y), true
			}
			return strings.Compare(x, fmtNum(y)), true
		case time.Time:
			c, ok := compare(b, a, loc)
			return -c, ok
		case bool:
			c, ok := compare(b, a, loc)
			return -c, ok
		}
	}
	return 0, false
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func fmtNum(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

func toFloat(v any) (float64, bool) {
	switch x := v.(type) {
	case float64:
		return x, true
	case string:
		f, err := strconv.ParseFloat(strings.TrimSpace(x), 64)
		return f, err == nil
	case bool:
		if x {
			return 1, true
		}
		return 0, true
	}
	return 0, false
}

func toTime(v any, loc *time.Location) (time.Time, bool) {
	switch x := v.(type) {
	case time.Time:
		return x, !x.IsZero()
	case string:
		t, err := parseDate(x, loc)
		return t, err == nil
	}
	return time.Time{}, false
}

func parseDate(s string, loc *time.Location) (time.Time, error) {
	s = strings.TrimSpace(s)
	for _, l := range []string{"2006-01-02 15:04:05.999999999", "2006-01-02T15:04:05.999999999", "2006-01-02", "2006/1/2 15:04:05", "2006/1/2"} {
		if t, err := time.ParseInLocation(l, s, loc); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("not a date: %q", s)
}

func (n cmpNode) eval(r *rowCtx) bool {
	c, ok := compare(n.l.value(r), n.r.value(r), r.loc)
	if !ok {
		return false
	}
	switch n.op {
	case "=":
		return c == 0
	case "<>":
		return c != 0
	case ">":
		return c > 0
	case ">=":
		return c >= 0
	case "<":
		return c < 0
	case "<=":
		return c <= 0
	}
	return false
}

func (n likeNode) eval(r *rowCtx) bool {
	v := n.l.value(r)
	if v == nil {
		return false
	}
	s, ok := v.(string)
	if !ok {
		s = fmt.Sprint(v)
	}
	return n.re.MatchString(s) != n.neg
}

func (n inNode) eval(r *rowCtx) bool {
	v := n.l.value(r)
	if v == nil {
		return false
	}
	if n.fast {
		if found, ok := n.lookup(v); ok {
			return found != n.neg
		}
	}
	for _, o := range n.vals {
		if c, ok := compare(v, o.value(r), r.loc); ok && c == 0 {
			return !n.neg
		}
	}
	return n.neg
}

func (n nullNode) eval(r *rowCtx) bool {
	v := n.l.value(r)
	isNull := v == nil
	if t, ok := v.(time.Time); ok && t.IsZero() {
		isNull = true
	}
	if s, ok := v.(string); ok && s == "" {
		isNull = true
	}
	return isNull != n.neg
}

// jsonFilter turns the JSON filter array form into FilterString text.
func jsonFilter(items []any) (string, error) {
	var b strings.Builder
	for i, it := range items {
		m, ok := it.(map[string]any)
		if !ok {
			return "", fmt.Errorf("filter item %d is not an object", i)
		}
		get := func(k string) string {
			for mk, mv := range m {
				if strings.EqualFold(mk, k) {
					if s, ok := mv.(string); ok {
						return s
					}
					if mv == nil {
						return ""
					}
					return fmt.Sprint(mv)
				}
			}
			return ""
		}
		field := get("FieldName")
		if !regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_.]*$`).MatchString(field) {
			return "", fmt.Errorf("bad FieldName %q", field)
		}
		var op string
		switch c := strings.ToLower(get("Compare")); c {
		case "=", "67", "statusequalto", "equal":
			op = "="
		case "<>", "!=", "statusnotequalto":
			op = "<>"
		case ">", ">=", "<", "<=", "like":
			op = c
		default:
			return "", fmt.Errorf("unknown Compare %q", c)
		}
		left, right := strings.TrimSpace(get("Left")), strings.TrimSpace(get("Right"))
		if strings.Trim(left, "(") != "" || strings.Trim(right, ")") != "" {
			return "", fmt.Errorf("bad Left/Right")
		}
		b.WriteString(left + field + " " + op + " '" + strings.ReplaceAll(get("Value"), "'", "''") + "'" + right)
		if i < len(items)-1 {
			switch strings.ToLower(get("Logic")) {
			case "or", "1":
				b.WriteString(" or ")
			default:
				b.WriteString(" and ")
			}
		}
	}
	return b.String(), nil
}
