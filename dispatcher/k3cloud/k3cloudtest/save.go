package k3cloudtest

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
)

// serverManaged fields are set by the server only; a Save that sends them is ignored there.
var serverManaged = map[string]bool{
	"fdocumentstatus": true, "fapprovedate": true, "fcreatedate": true, "fmodifydate": true,
	"fcancelstatus": true, "fclosestatus": true, "fapproverid": true, "fid": true,
}

type saveOpts struct {
	update   map[string]bool // lower-case; nil = every field
	delEntry bool
	auto     bool
	draft    bool
	returns  []string
}

type saveErr struct {
	code  int
	field string
	msg   string
}

func (e *saveErr) Error() string { return e.msg }

// applyHead writes the model's header fields into b.
func (s *Server) applyHead(f *form, b *bill, m map[string]any, o saveOpts, locked bool) error {
	sch := f.sch
	for k, v := range m {
		lk := strings.ToLower(k)
		switch {
		case lk == strings.ToLower(sch.EntryKey):
			if o.update != nil && !o.update[lk] {
				continue
			}
			arr, ok := v.([]any)
			if !ok {
				return &saveErr{code: 8, field: sch.EntryKey, msg: "分录" + sch.EntryKey + "必须是数组"}
			}
			if err := s.applyEntries(f, b, arr, o, locked); err != nil {
				return err
			}
		case isSub(sch, lk):
			sub, ok := v.(map[string]any)
			if !ok {
				continue
			}
			if err := s.applyHead(f, b, sub, o, locked); err != nil {
				return err
			}
		default:
			d, ok := sch.head[lk]
			if !ok || serverManaged[lk] {
				continue
			}
			if o.update != nil && !o.update[lk] {
				continue
			}
			if locked && !isCustom(d.Key) {
				return &saveErr{code: 11, msg: fmt.Sprintf("单据编号为“%s”的%s已审核或审核中，字段%s不允许修改", b.number(), sch.Name, d.Key)}
			}
			val, err := toValue(d, v, s.opts.Location)
			if err != nil {
				return &saveErr{code: 8, field: d.Key, msg: err.Error()}
			}
			if d.Key == "FBillNo" && val == "" {
				continue
			}
			if val == nil {
				delete(b.head, d.Key)
			} else {
				b.head[d.Key] = val
			}
		}
	}
	return nil
}

func isSub(sch *schema, lk string) bool {
	for _, s := range sch.SubHeaders {
		if strings.ToLower(s) == lk {
			return true
		}
	}
	return false
}

func (s *Server) applyEntries(f *form, b *bill, arr []any, o saveOpts, locked bool) error {
	sch := f.sch
	seen := map[int64]bool{}
	for _, item := range arr {
		em, ok := item.(map[string]any)
		if !ok {
			return &saveErr{code: 8, field: sch.EntryKey, msg: "分录行必须是对象"}
		}
		var target map[string]any
		if v, ok := getKey(em, "FEntryID"); ok {
			id := int64(intOf(v))
			for _, e := range b.entries {
				if e["FEntryID"] == id && id > 0 {
					target = e
				}
			}
		}
		if target == nil {
			if locked {
				return &saveErr{code: 11, msg: fmt.Sprintf("单据编号为“%s”的%s已审核或审核中，不允许新增分录", b.number(), sch.Name)}
			}
			s.nextEnt++
			target = map[string]any{"FEntryID": s.nextEnt}
			b.entries = append(b.entries, target)
		}
		seen[target["FEntryID"].(int64)] = true
		for k, v := range em {
			lk := strings.ToLower(k)
			d, ok := sch.entry[lk]
			if !ok || lk == "fentryid" || lk == "fseq" {
				continue
			}
			if o.update != nil && !o.update[lk] {
				continue
			}
			if locked && !isCustom(d.Key) {
				return &saveErr{code: 11, msg: fmt.Sprintf("单据编号为“%s”的%s已审核或审核中，字段%s不允许修改", b.number(), sch.Name, d.Key)}
			}
			val, err := toValue(d, v, s.opts.Location)
			if err != nil {
				return &saveErr{code: 8, field: d.Key, msg: err.Error()}
			}
			if val == nil {
				delete(target, d.Key)
			} else {
				target[d.Key] = val
			}
		}
	}
	if o.delEntry {
		kept := b.entries[:0]
		for _, e := range b.entries {
			if seen[e["FEntryID"].(int64)] {
				kept = append(kept, e)
			}
		}
		b.entries = kept
	}
	for i, e := range b.entries {
		e["FSeq"] = int64(i + 1)
	}
	return nil
}

func (s *Server) validate(f *form, b *bill) error {
	sch := f.sch
	for _, k := range sch.required {
		if v, ok := b.head[k]; !ok || v == nil || v == "" {
			return &saveErr{code: 11, field: k, msg: "字段“" + label(k) + "”是必填项"}
		}
	}
	if r, ok := b.head["FSupplierId"].(Ref); ok && s.opts.Suppliers != nil && !contains(s.opts.Suppliers, r.Number) {
		return &saveErr{code: 9, field: "FSupplierId", msg: "字段“供应商”的值“" + r.Number + "”在系统中不存在"}
	}
	if len(b.entries) == 0 {
		return &saveErr{code: 11, field: sch.EntryKey, msg: "单据分录不能为空"}
	}
	for i, e := range b.entries {
		for _, k := range sch.reqEntry {
			if v, ok := e[k]; !ok || v == nil {
				return &saveErr{code: 11, field: k, msg: fmt.Sprintf("第%d行分录，字段“%s”是必填项", i+1, label(k))}
			}
		}
		if q, _ := e["FQty"].(float64); q <= 0 {
			return &saveErr{code: 11, field: "FQty", msg: fmt.Sprintf("第%d行分录，数量必须大于0", i+1)}
		}
		if r, ok := e["FMaterialId"].(Ref); ok && s.opts.Materials != nil && !contains(s.opts.Materials, r.Number) {
			return &saveErr{code: 9, field: "FMaterialId", msg: fmt.Sprintf("第%d行分录，字段“物料编码”的值“%s”在系统中不存在", i+1, r.Number)}
		}
	}
	return nil
}

// saveOne creates or updates one bill. s.mu is held.
func (s *Server) saveOne(f *form, m map[string]any, o saveOpts) (*bill, error) {
	now := s.opts.Now()
	fid := 0
	if v, ok := getKey(m, "FID"); ok {
		fid = intOf(v)
	}
	var b *bill
	var orig *bill
	locked := false
	if fid > 0 {
		orig = f.byID[int64(fid)]
		if orig == nil {
			return nil, &saveErr{code: 10, field: "FID", msg: fmt.Sprintf("内码为%d的%s不存在，或者已被删除", fid, f.sch.Name)}
		}
		b = cloneBill(orig)
		st := b.status()
		locked = st == "B" || st == "C"
	} else {
		b = &bill{head: map[string]any{"FCancelStatus": "A", "FCloseStatus": "A", "FCreateDate": now}}
		if f.sch.FormID == "SAL_SaleOrder" {
			b.head["FBillTypeID"] = mkRef("XSDD01_SYS")
		}
	}
	if err := s.applyHead(f, b, m, o, locked); err != nil {
		return nil, err
	}
	if err := s.validate(f, b); err != nil {
		return nil, err
	}
	no := b.number()
	if orig == nil || !strings.EqualFold(no, orig.number()) {
		if no != "" {
			if _, taken := f.byNo[strings.ToLower(no)]; taken {
				return nil, &saveErr{code: 11, field: "FBillNo", msg: "违反字段唯一性要求：编码唯一。[" + no + "]在当前系统中已经被使用。"}
			}
		}
	}
	b.head["FModifyDate"] = now
	if orig == nil {
		if no == "" {
			b.head["FBillNo"] = f.nextNumber()
		}
		s.nextID++
		b.id = s.nextID
		b.head["FDocumentStatus"] = "A"
		if o.draft {
			b.head["FDocumentStatus"] = "Z"
		}
		if o.auto && !o.draft {
			b.head["FDocumentStatus"] = "C"
			b.head["FApproveDate"] = now
			b.head["FApproverId"] = mkRef(s.opts.Username)
		}
		f.add(b)
		return b, nil
	}
	if b.status() == "Z" && !o.draft {
		b.head["FDocumentStatus"] = "A"
	}
	if o.auto && (b.status() == "A" || b.status() == "D") {
		b.head["FDocumentStatus"] = "C"
		b.head["FApproveDate"] = now
	}
	delete(f.byNo, strings.ToLower(orig.number()))
	orig.head, orig.entries = b.head, b.entries
	f.byNo[strings.ToLower(orig.number())] = orig
	return orig, nil
}

func (s *Server) save(w http.ResponseWriter, svc string, q request, batch bool) {
	formID := q.str(0, "formid", "formId")
	d, ok := q.data(1, "data")
	dm, isObj := d.(map[string]any)
	if !ok || !isObj {
		s.writeFailure(w, svc, 8, "", "data 数据包格式错误", 0)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.version++
	f, ok := s.forms[strings.ToLower(formID)]
	if !ok {
		s.writeFailure(w, svc, 4, "", "标识为“"+formID+"”的业务对象不存在，或者被删除", 0)
		return
	}
	o := saveOpts{delEntry: true, draft: svc == "Draft"}
	if v, ok := getKey(dm, "NeedUpDateFields"); ok {
		if arr, ok := v.([]any); ok && len(arr) > 0 {
			o.update = map[string]bool{}
			for _, x := range arr {
				o.update[strings.ToLower(fmt.Sprint(x))] = true
			}
		}
	}
	if v, ok := getKey(dm, "NeedReturnFields"); ok {
		if arr, ok := v.([]any); ok {
			for _, x := range arr {
				o.returns = append(o.returns, fmt.Sprint(x))
			}
		}
	}
	if v, ok := getKey(dm, "IsDeleteEntry"); ok {
		o.delEntry = truthy(v)
	}
	if v, ok := getKey(dm, "IsAutoSubmitAndAudit"); ok {
		o.auto = truthy(v)
	}
	mv, _ := getKey(dm, "Model")
	var models []any
	switch x := mv.(type) {
	case []any:
		if !batch {
			s.writeFailure(w, svc, 8, "Model", "Save 的 Model 必须是单个对象", 0)
			return
		}
		models = x
	case map[string]any:
		models = []any{x}
	default:
		s.writeFailure(w, svc, 8, "Model", "data 数据包中的参数 Model 的值不能为空", 0)
		return
	}
	st := status{Errors: []message{}, SuccessEntitys: []successE{}, SuccessMessages: []message{}, IsSuccess: true}
	var returns []any
	var last *bill
	for i, mm := range models {
		m, ok := mm.(map[string]any)
		if !ok {
			st.add(8, "Model", "Model 元素必须是对象", i)
			continue
		}
		b, err := s.saveOne(f, m, o)
		if err != nil {
			var se *saveErr
			if !errors.As(err, &se) {
				se = &saveErr{code: 4, msg: err.Error()}
			}
			st.add(se.code, se.field, se.msg, i)
			continue
		}
		last = b
		st.SuccessEntitys = append(st.SuccessEntitys, successE{ID: b.id, Number: b.number(), DIndex: i})
		ret := map[string]any{}
		for _, k := range o.returns {
			if ref, ok := f.sch.resolve(k); ok && !ref.Entry {
				ret[k] = (&rowCtx{b: b, loc: s.opts.Location}).out(ref)
			}
		}
		returns = append(returns, ret)
	}
	if len(returns) == 0 {
		returns = []any{map[string]any{}}
	}
	res := map[string]any{"ResponseStatus": st, "NeedReturnData": returns}
	if !batch {
		if last != nil {
			res["Id"], res["Number"] = last.id, last.number()
		} else {
			res["Id"] = ""
		}
	}
	writeJSON(w, map[string]any{"Result": res})
}
