package k3cloudtest

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// The FilterString dialect: comparisons (=, <>, !=, >, >=, <, <=), like / not like,
// in / not in, is [not] null, and, or, not, parentheses; literals are 'quoted' (with ''
// for a quote) or numbers; dates are quoted literals compared with date fields.

type tokKind int

const (
	tkEOF tokKind = iota
	tkIdent
	tkString
	tkNumber
	tkOp
	tkLParen
	tkRParen
	tkComma
)

type token struct {
	kind tokKind
	text string
}

func lex(s string) ([]token, error) {
	var out []token
	r := []rune(s)
	for i := 0; i < len(r); {
		c := r[i]
		switch {
		case unicode.IsSpace(c):
			i++
		case c == '(':
			out = append(out, token{tkLParen, "("})
			i++
		case c == ')':
			out = append(out, token{tkRParen, ")"})
			i++
		case c == ',':
			out = append(out, token{tkComma, ","})
			i++
		case c == '\'':
			var b strings.Builder
			i++
			closed := false
			for i < len(r) {
				if r[i] == '\'' {
					if i+1 < len(r) && r[i+1] == '\'' {
						b.WriteRune('\'')
						i += 2
						continue
					}
					i++
					closed = true
					break
				}
				b.WriteRune(r[i])
				i++
			}
			if !closed {
				return nil, fmt.Errorf("unterminated string literal")
			}
			out = append(out, token{tkString, b.String()})
		case c == '=':
			out = append(out, token{tkOp, "="})
			i++
		case c == '<' || c == '>' || c == '!':
			op := string(c)
			if i+1 < len(r) && (r[i+1] == '=' || (c == '<' && r[i+1] == '>')) {
				op += string(r[i+1])
				i++
			}
			i++
			if op == "!" {
				return nil, fmt.Errorf("unexpected '!'")
			}
			if op == "!=" {
				op = "<>"
			}
			out = append(out, token{tkOp, op})
		case unicode.IsDigit(c) || (c == '-' && i+1 < len(r) && unicode.IsDigit(r[i+1])):
			j := i + 1
			for j < len(r) && (unicode.IsDigit(r[j]) || r[j] == '.') {
				j++
			}
			out = append(out, token{tkNumber, string(r[i:j])})
			i = j
		case unicode.IsLetter(c) || c == '_':
			j := i + 1
			for j < len(r) && (unicode.IsLetter(r[j]) || unicode.IsDigit(r[j]) || r[j] == '_' || r[j] == '.') {
				j++
			}
			out = append(out, token{tkIdent, string(r[i:j])})
			i = j
		default:
			return nil, fmt.Errorf("unexpected character %q", c)
		}
	}
	return append(out, token{kind: tkEOF}), nil
}

// node is a boolean expression over one row.
type node interface {
	eval(r *rowCtx) bool
}

type andNode struct{ l, r node }
type orNode struct{ l, r node }
type notNode struct{ n node }
type constNode bool

func (n andNode) eval(r *rowCtx) bool { return n.l.eval(r) && n.r.eval(r) }
func (n orNode) eval(r *rowCtx) bool  { return n.l.eval(r) || n.r.eval(r) }
func (n notNode) eval(r *rowCtx) bool { return !n.n.eval(r) }
func (n constNode) eval(*rowCtx) bool { return bool(n) }

// operand is a field or a literal.
type operand struct {
	field *fieldRef
	lit   any // string or float64
}

type cmpNode struct {
	l, r operand
	op   string // = <> > >= < <=
}

type likeNode struct {
	l   operand
	re  *regexp.Regexp
	neg bool
}

type inNode struct {
	l    operand
	vals []operand
	neg  bool
	// With every value a literal (the usual case) a long list costs map lookups per row
	// instead of a scan; the sets keep compare's semantics: text case-insensitively, numbers
	// by value (numeric text against number literals, number fields against any numeric
	// literal).
	fast   bool
	text   map[string]bool // lower-cased string literals
	numLit map[string]bool // number literals
	numAll map[string]bool // number literals and numeric string literals
}

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

type nullNode struct {
	l   operand
	neg bool
}

type parser struct {
	toks []token
	pos  int
	sch  *schema
	loc  *time.Location
	// fields collects every field the filter refers to.
	fields []fieldRef
}

// errUnknownField carries the key for MsgCode 9.
type errUnknownField struct{ key string }

func (e errUnknownField) Error() string { return "unknown field " + e.key }

func parseFilter(s string, sch *schema, loc *time.Location) (node, []fieldRef, error) {
	if strings.TrimSpace(s) == "" {
		return constNode(true), nil, nil
	}
	toks, err := lex(s)
	if err != nil {
		return nil, nil, err
	}
	p := &parser{toks: toks, sch: sch, loc: loc}
	n, err := p.or()
	if err != nil {
		return nil, nil, err
	}
	if p.peek().kind != tkEOF {
		return nil, nil, fmt.Errorf("unexpected %q", p.peek().text)
	}
	return n, p.fields, nil
}

func (p *parser) peek() token { return p.toks[p.pos] }
func (p *parser) next() token { t := p.toks[p.pos]; p.pos++; return t }
func (p *parser) kw(w string) bool {
	t := p.peek()
	if t.kind == tkIdent && strings.EqualFold(t.text, w) {
		p.pos++
		return true
	}
	return false
}

func (p *parser) or() (node, error) {
	l, err := p.and()
	if err != nil {
		return nil, err
	}
	for p.kw("or") {
		r, err := p.and()
		if err != nil {
			return nil, err
		}
		l = orNode{l, r}
	}
	return l, nil
}

func (p *parser) and() (node, error) {
	l, err := p.unary()
	if err != nil {
		return nil, err
	}
	for p.kw("and") {
		r, err := p.unary()
		if err != nil {
			return nil, err
		}
		l = andNode{l, r}
	}
	return l, nil
}

func (p *parser) unary() (node, error) {
	if p.kw("not") {
		n, err := p.unary()
		if err != nil {
			return nil, err
		}
		return notNode{n}, nil
	}
	if p.peek().kind == tkLParen {
		p.next()
		n, err := p.or()
		if err != nil {
			return nil, err
		}
		if p.next().kind != tkRParen {
			return nil, fmt.Errorf("missing )")
		}
		return n, nil
	}
	return p.comparison()
}

func (p *parser) operand() (operand, error) {
	t := p.next()
	switch t.kind {
	case tkString:
		return operand{lit: t.text}, nil
	case tkNumber:
		f, err := strconv.ParseFloat(t.text, 64)
		if err != nil {
			return operand{}, fmt.Errorf("bad number %q", t.text)
		}
		return operand{lit: f}, nil
	case tkIdent:
		ref, ok := p.sch.resolve(t.text)
		if !ok {
			return operand{}, errUnknownField{t.text}
		}
		p.fields = append(p.fields, ref)
		return operand{field: &ref}, nil
	}
	return operand{}, fmt.Errorf("unexpected %q", t.text)
}

func (p *parser) comparison() (node, error) {
	l, err := p.operand()
	if err != nil {
		return nil, err
	}
	if t := p.peek(); t.kind == tkOp {
		p.next()
		r, err := p.operand()
		if err != nil {
			return nil, err
		}
		return cmpNode{l: l, r: r, op: t.text}, nil
	}
	neg := p.kw("not")
	switch {
	case p.kw("like"):
		r, err := p.operand()
		if err != nil {
			return nil, err
		}
		pat, ok := r.lit.(string)
		if !ok {
			return nil, fmt.Errorf("like needs a quoted pattern")
		}
		return likeNode{l: l, re: likeRegexp(pat), neg: neg}, nil
	case p.kw("in"):
		if p.next().kind != tkLParen {
			return nil, fmt.Errorf("in needs (")
		}
		var vals []operand
		for {
			v, err := p.operand()
			if err != nil {
				return nil, err
			}
			vals = append(vals, v)
			t := p.next()
			if t.kind == tkRParen {
				break
			}
			if t.kind != tkComma {
				return nil, fmt.Errorf("unexpected %q in list", t.text)
			}
		}
		n := inNode{l: l, vals: vals, neg: neg}
		n.index()
		return n, nil
	case !neg && p.kw("is"):
		n := p.kw("not")
		if !p.kw("null") {
			return nil, fmt.Errorf("is needs null")
		}
		return nullNode{l: l, neg: n}, nil
	}
	return nil, fmt.Errorf("expected an operator after %q", p.toks[p.pos-1].text)
}

func likeRegexp(pat string) *regexp.Regexp {
	var b strings.Builder
	b.WriteString("(?is)^")
	for _, c := range pat {
		switch c {
		case '%':
			b.WriteString(".*")
		case '_':
			b.WriteString(".")
		default:
			b.WriteString(regexp.QuoteMeta(string(c)))
		}
	}
	b.WriteString("$")
	return regexp.MustCompile(b.String())
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
