package k3cloudtest

import (
	"encoding/json"
	"errors"
	"net/http"
	"sort"
	"strconv"
	"strings"
)

// dispatch runs an authorised DynamicFormService call.
func (s *Server) dispatch(w http.ResponseWriter, svc string, q request) {
	switch svc {
	case "ExecuteBillQuery", "BillQuery":
		s.query(w, svc, q)
	case "Save", "Draft":
		s.save(w, svc, q, false)
	case "BatchSave":
		s.save(w, svc, q, true)
	case "Submit", "Audit", "UnAudit", "Delete":
		s.operate(w, svc, q.str(0, "formid", "formId"), svc, q, 1)
	case "ExcuteOperation":
		s.operate(w, svc, q.str(0, "formid", "formId"), q.str(1, "opNumber", "opnumber"), q, 2)
	case "View":
		s.view(w, q)
	default:
		s.writeFailure(w, svc, 4, "", "不支持的服务 "+svc, 0)
	}
}

func getKey(m map[string]any, k string) (any, bool) {
	for mk, v := range m {
		if strings.EqualFold(mk, k) {
			return v, true
		}
	}
	return nil, false
}

func intOf(v any) int {
	switch x := v.(type) {
	case json.Number:
		n, _ := x.Float64()
		return int(n)
	case float64:
		return int(x)
	case string:
		n, _ := strconv.Atoi(strings.TrimSpace(x))
		return n
	}
	return 0
}

type orderKey struct {
	f    fieldRef
	desc bool
}

func (s *Server) query(w http.ResponseWriter, svc string, q request) {
	d, ok := q.data(0, "data")
	m, isObj := d.(map[string]any)
	if !ok || !isObj {
		s.writeFailure(w, svc, 8, "", "data 数据包格式错误", 0)
		return
	}
	str := func(k string) string {
		v, _ := getKey(m, k)
		if x, ok := v.(string); ok {
			return x
		}
		return ""
	}
	formID := str("FormId")
	s.mu.Lock()
	defer s.mu.Unlock()
	f, ok := s.forms[strings.ToLower(formID)]
	if !ok {
		s.writeFailure(w, svc, 4, "", "标识为“"+formID+"”的业务对象不存在，或者被删除", 0)
		return
	}
	keys := str("FieldKeys")
	if strings.TrimSpace(keys) == "" {
		s.writeFailure(w, svc, 8, "", "data 数据包中的参数 FieldKeys 的值不能为空", 0)
		return
	}
	var fields []fieldRef
	entryLevel := false
	for _, k := range strings.Split(keys, ",") {
		ref, ok := f.sch.resolve(k)
		if !ok {
			s.writeFailure(w, svc, 9, "", "元数据中标识为"+strings.TrimSpace(k)+"的字段不存在", 0)
			return
		}
		ref.Key = strings.TrimSpace(k)
		entryLevel = entryLevel || ref.Entry
		fields = append(fields, ref)
	}
	var filterText string
	fv, _ := getKey(m, "FilterString")
	switch x := fv.(type) {
	case string:
		filterText = x
	case []any:
		t, err := jsonFilter(x)
		if err != nil {
			s.writeFailure(w, svc, 4, "", "GetRealExpress error: "+err.Error(), 0)
			return
		}
		filterText = t
	}
	cond, ffields, err := parseFilter(filterText, f.sch, s.opts.Location)
	if err != nil {
		var uf errUnknownField
		if errors.As(err, &uf) {
			s.writeFailure(w, svc, 9, "", "元数据中标识为"+uf.key+"的字段不存在", 0)
			return
		}
		s.writeFailure(w, svc, 4, "", "GetRealExpress error: "+err.Error(), 0)
		return
	}
	for _, ff := range ffields {
		entryLevel = entryLevel || ff.Entry
	}
	var order []orderKey
	if os := strings.TrimSpace(str("OrderString")); os != "" {
		for _, part := range strings.Split(os, ",") {
			words := strings.Fields(part)
			if len(words) == 0 || len(words) > 2 {
				s.writeFailure(w, svc, 4, "", "OrderString 格式错误", 0)
				return
			}
			ref, ok := f.sch.resolve(words[0])
			if !ok {
				s.writeFailure(w, svc, 9, "", "元数据中标识为"+words[0]+"的字段不存在", 0)
				return
			}
			entryLevel = entryLevel || ref.Entry
			order = append(order, orderKey{f: ref, desc: len(words) == 2 && strings.EqualFold(words[1], "desc")})
		}
	}
	top, start, limit := 0, 0, 0
	if v, ok := getKey(m, "TopRowCount"); ok {
		top = intOf(v)
	}
	if v, ok := getKey(m, "StartRow"); ok {
		start = intOf(v)
	}
	if v, ok := getKey(m, "Limit"); ok {
		limit = intOf(v)
	}
	if limit <= 0 || limit > s.opts.MaxLimit {
		limit = s.opts.MaxLimit
	}

	cacheKey := strings.Join([]string{f.sch.FormID, keys, filterText, str("OrderString"), strconv.Itoa(top), strconv.FormatBool(entryLevel)}, "\x00")
	var rows []rowCtx
	if s.cache.key == cacheKey && s.cache.version == s.version {
		rows = s.cache.rows
	} else {
		rows = s.scan(f, cond, order, entryLevel)
		if top > 0 && len(rows) > top {
			rows = rows[:top]
		}
		s.cache.key, s.cache.version, s.cache.rows = cacheKey, s.version, rows
	}
	if start >= len(rows) {
		rows = nil
	} else {
		rows = rows[start:]
	}
	if len(rows) > limit {
		rows = rows[:limit]
	}
	s.writeRows(w, svc, fields, rows)
}

// scan filters and sorts the rows of a form.
func (s *Server) scan(f *form, cond node, order []orderKey, entryLevel bool) []rowCtx {
	var rows []rowCtx
	for _, b := range f.bills {
		if entryLevel && len(b.entries) > 0 {
			for _, e := range b.entries {
				r := rowCtx{b: b, e: e, loc: s.opts.Location}
				if cond.eval(&r) {
					rows = append(rows, r)
				}
			}
			continue
		}
		r := rowCtx{b: b, loc: s.opts.Location}
		if cond.eval(&r) {
			rows = append(rows, r)
		}
	}
	if len(order) > 0 {
		sort.SliceStable(rows, func(i, j int) bool {
			for _, k := range order {
				c, ok := compare(rows[i].get(k.f), rows[j].get(k.f), s.opts.Location)
				if !ok || c == 0 {
					continue
				}
				return (c < 0) != k.desc
			}
			return false
		})
	}
	return rows
}

func (s *Server) writeRows(w http.ResponseWriter, svc string, fields []fieldRef, rows []rowCtx) {
	if svc == "BillQuery" {
		out := make([]map[string]any, len(rows))
		for i := range rows {
			o := make(map[string]any, len(fields))
			for _, fr := range fields {
				o[fr.Key] = rows[i].out(fr)
			}
			out[i] = o
		}
		writeJSON(w, out)
		return
	}
	out := make([][]any, len(rows))
	for i := range rows {
		row := make([]any, len(fields))
		for j, fr := range fields {
			row[j] = rows[i].out(fr)
		}
		out[i] = row
	}
	writeJSON(w, out)
}
