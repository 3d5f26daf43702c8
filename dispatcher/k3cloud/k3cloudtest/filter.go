package k3cloudtest

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// The FilterString dialect: comparisons (=, <>, !=, >, >=, <, <=), like / not like,
// in / not in, is [not] null, and, or, not, parentheses; literals are 'quoted' (with ''
// for a quote) or numbers; dates are quoted literals compared with date fields.

// node is a boolean expression over one row.
type node interface {
	eval(r *rowCtx) bool
}

type andNode struct{ l, r node }
type orNode struct{ l, r node }
type notNode struct{ n node }
type constNode bool

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
