package k3cloudtest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

func (st *status) add(code int, field, msg string, i int) {
	m := message{Message: msg, DIndex: i}
	if field != "" {
		m.FieldName = &field
	}
	st.Errors = append(st.Errors, m)
	if st.IsSuccess {
		st.MsgCode = code
	}
	st.IsSuccess = false
	st.ErrorCode = 500
}

func truthy(v any) bool {
	switch x := v.(type) {
	case bool:
		return x
	case string:
		return strings.EqualFold(x, "true") || x == "1"
	case json.Number:
		return x.String() != "0"
	}
	return false
}

// operate runs Submit, Audit, UnAudit, Delete and ExcuteOperation (Cancel, UnCancel…).
func (s *Server) operate(w http.ResponseWriter, svc, formID, op string, q request, dataIdx int) {
	d, ok := q.data(dataIdx, "data")
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
	var targets []*bill
	var names []string
	if v, ok := getKey(dm, "Numbers"); ok {
		if arr, ok := v.([]any); ok {
			for _, x := range arr {
				n := fmt.Sprint(x)
				names = append(names, n)
				targets = append(targets, f.byNo[strings.ToLower(n)])
			}
		}
	}
	if v, ok := getKey(dm, "Ids"); ok && len(names) == 0 {
		for _, p := range strings.Split(fmt.Sprint(v), ",") {
			if p = strings.TrimSpace(p); p != "" {
				id, _ := strconv.ParseInt(p, 10, 64)
				names = append(names, p)
				targets = append(targets, f.byID[id])
			}
		}
	}
	if len(targets) == 0 {
		s.writeFailure(w, svc, 5, "", "单据标识为空：请传入 Numbers 或 Ids", 0)
		return
	}
	now := s.opts.Now()
	st := status{Errors: []message{}, SuccessEntitys: []successE{}, SuccessMessages: []message{}, IsSuccess: true}
	name := f.sch.Name
	for i, b := range targets {
		if b == nil {
			st.add(10, "", fmt.Sprintf("单据编号为“%s”的%s不存在", names[i], name), i)
			continue
		}
		no, cur := b.number(), b.status()
		fail := func(msg string) { st.add(11, "", fmt.Sprintf("单据编号为“%s”的%s，%s", no, name, msg), i) }
		okMsg := ""
		switch strings.ToLower(op) {
		case "submit":
			if cur != "A" && cur != "D" && cur != "Z" {
				fail("单据不是创建或重新审核状态，不能提交！")
				continue
			}
			b.head["FDocumentStatus"], okMsg = "B", "提交成功！"
		case "audit":
			switch cur {
			case "C":
				fail("单据已经审核！")
				continue
			case "B":
			default:
				fail("单据未提交，不能审核！")
				continue
			}
			b.head["FDocumentStatus"], b.head["FApproveDate"], okMsg = "C", now, "审核成功！"
			b.head["FApproverId"] = mkRef(s.opts.Username)
		case "unaudit":
			if cur != "C" {
				fail("单据不是已审核状态，不能反审核！")
				continue
			}
			b.head["FDocumentStatus"], okMsg = "D", "反审核成功！"
			delete(b.head, "FApproveDate")
			delete(b.head, "FApproverId")
		case "delete":
			if cur == "B" || cur == "C" {
				fail("单据已提交或已审核，不能删除！")
				continue
			}
			f.remove(b)
			okMsg = "删除成功！"
		case "cancel":
			if cur == "B" || cur == "C" {
				fail("单据已提交或已审核，不能作废！")
				continue
			}
			b.head["FCancelStatus"], okMsg = "B", "作废成功！"
		case "uncancel":
			b.head["FCancelStatus"], okMsg = "A", "反作废成功！"
		default:
			st.add(3, "", "不支持的操作标识 "+op, i)
			continue
		}
		b.head["FModifyDate"] = now
		st.SuccessEntitys = append(st.SuccessEntitys, successE{ID: b.id, Number: no, DIndex: i})
		st.SuccessMessages = append(st.SuccessMessages, message{Message: fmt.Sprintf("单据编号为“%s”的%s，%s", no, name, okMsg), DIndex: i})
	}
	writeJSON(w, map[string]any{"Result": map[string]any{"ResponseStatus": st}})
}

// view answers View with ORM-style property names (F prefix dropped).
func (s *Server) view(w http.ResponseWriter, q request) {
	formID := q.str(0, "formid", "formId")
	d, _ := q.data(1, "data")
	dm, _ := d.(map[string]any)
	s.mu.Lock()
	defer s.mu.Unlock()
	f, ok := s.forms[strings.ToLower(formID)]
	if !ok {
		s.writeFailure(w, "View", 4, "", "标识为“"+formID+"”的业务对象不存在，或者被删除", 0)
		return
	}
	var b *bill
	if v, ok := getKey(dm, "Number"); ok && fmt.Sprint(v) != "" {
		b = f.byNo[strings.ToLower(fmt.Sprint(v))]
	} else if v, ok := getKey(dm, "Id"); ok {
		b = f.byID[int64(intOf(v))]
	}
	if b == nil {
		s.writeFailure(w, "View", 10, "", "单据不存在或已被删除", 0)
		return
	}
	prop := func(k string) string { return strings.TrimPrefix(k, "F") }
	conv := func(m map[string]any) map[string]any {
		out := map[string]any{}
		for k, v := range m {
			switch x := v.(type) {
			case Ref:
				out[prop(k)] = map[string]any{"Id": x.ID, "Number": x.Number, "Name": []any{map[string]any{"Key": 2052, "Value": x.Name}}}
				out[prop(k)+"_Id"] = x.ID
			case time.Time:
				out[prop(k)] = x.In(s.opts.Location).Format("2006-01-02T15:04:05.999")
			default:
				if strings.HasPrefix(k, "F_") {
					out[k] = v
				} else {
					out[prop(k)] = v
				}
			}
		}
		return out
	}
	res := conv(b.head)
	res["Id"] = b.id
	var ents []any
	for _, e := range b.entries {
		ce := conv(e)
		ce["Id"] = e["FEntryID"]
		ents = append(ents, ce)
	}
	res[prop(f.sch.EntryKey)] = ents
	writeJSON(w, map[string]any{"Result": map[string]any{"ResponseStatus": map[string]any{"IsSuccess": true}, "Result": res}})
}
