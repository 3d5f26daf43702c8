package k3cloudtest

import (
	"hash/fnv"
	"strings"
	"time"
)

type bill struct {
	id      int64
	head    map[string]any // schema key → value
	entries []map[string]any
}

func (b *bill) number() string { s, _ := b.head["FBillNo"].(string); return s }
func (b *bill) status() string { s, _ := b.head["FDocumentStatus"].(string); return s }

type form struct {
	sch   *schema
	bills []*bill // in FID order
	byID  map[int64]*bill
	byNo  map[string]*bill
	seq   int
}

func newForm(s *schema) *form {
	return &form{sch: s, byID: map[int64]*bill{}, byNo: map[string]*bill{}}
}

func (f *form) add(b *bill) {
	f.bills = append(f.bills, b)
	f.byID[b.id] = b
	f.byNo[strings.ToLower(b.number())] = b
}

func (f *form) remove(b *bill) {
	delete(f.byID, b.id)
	delete(f.byNo, strings.ToLower(b.number()))
	for i, x := range f.bills {
		if x == b {
			f.bills = append(f.bills[:i:i], f.bills[i+1:]...)
			break
		}
	}
}

// nextNumber is the next free bill number: prefix + 6 digits.
func (f *form) nextNumber() string {
	for {
		f.seq++
		n := f.sch.Prefix + pad6(f.seq)
		if _, taken := f.byNo[strings.ToLower(n)]; !taken {
			return n
		}
	}
}

func pad6(n int) string {
	s := itoa(n)
	for len(s) < 6 {
		s = "0" + s
	}
	return s
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b []byte
	for n > 0 {
		b = append([]byte{byte('0' + n%10)}, b...)
		n /= 10
	}
	return string(b)
}

// refID gives base data a stable internal id derived from its number.
func refID(number string) int64 {
	h := fnv.New32a()
	h.Write([]byte(number))
	return 100000 + int64(h.Sum32()%900000)
}

// rowCtx is one query row: a bill and, for entry-level rows, one of its entries.
type rowCtx struct {
	b   *bill
	e   map[string]any
	loc *time.Location
}

// get returns the filter/comparison value of a field: nil, string, float64, time.Time, bool.
func (r *rowCtx) get(f fieldRef) any {
	var v any
	switch {
	case f.EntryID:
		if r.e == nil {
			return nil
		}
		v = r.e["FEntryID"]
	case f.Seq:
		if r.e == nil {
			return nil
		}
		v = r.e["FSeq"]
	case f.Entry:
		if r.e == nil {
			return nil
		}
		v = r.e[f.Def.Key]
	case strings.EqualFold(f.Def.Key, "FID"):
		return float64(r.b.id)
	default:
		v = r.b.head[f.Def.Key]
	}
	switch x := v.(type) {
	case nil:
		if f.Def.Type == tText {
			return ""
		}
		return nil
	case int64:
		return float64(x)
	case int:
		return float64(x)
	case Ref:
		switch f.Sub {
		case "fnumber":
			return x.Number
		case "fname":
			return x.Name
		case "fcode":
			return x.Code
		}
		return float64(x.ID)
	}
	return v
}

// out is the JSON value of a field in an ExecuteBillQuery answer.
func (r *rowCtx) out(f fieldRef) any {
	v := r.get(f)
	switch x := v.(type) {
	case time.Time:
		if x.IsZero() {
			return nil
		}
		return x.In(r.loc).Format("2006-01-02T15:04:05.999")
	case float64:
		if f.Def.Type == tInt || (f.Def.Type == tRef && f.Sub == "") || f.Sub == "fid" {
			return int64(x)
		}
		return x
	}
	return v
}
