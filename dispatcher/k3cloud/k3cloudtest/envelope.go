package k3cloudtest

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// request is a parsed envelope: positional or named parameters.
type request struct {
	pos   []any
	named map[string]any // lower-case keys
}

// arg returns positional parameter i or the named parameter under one of names.
func (q request) arg(i int, names ...string) (any, bool) {
	if q.named != nil {
		for _, n := range names {
			if v, ok := q.named[strings.ToLower(n)]; ok {
				return v, true
			}
		}
		return nil, false
	}
	if i < len(q.pos) {
		return q.pos[i], true
	}
	return nil, false
}

func (q request) str(i int, names ...string) string {
	v, _ := q.arg(i, names...)
	switch x := v.(type) {
	case string:
		return x
	case nil:
		return ""
	case json.Number:
		return x.String()
	}
	return fmt.Sprint(v)
}

// data returns a data parameter as a JSON value: strings holding JSON are parsed.
func (q request) data(i int, names ...string) (any, bool) {
	v, ok := q.arg(i, names...)
	if !ok {
		return nil, false
	}
	if s, isStr := v.(string); isStr {
		d := json.NewDecoder(strings.NewReader(s))
		d.UseNumber()
		var out any
		if err := d.Decode(&out); err != nil {
			return nil, false
		}
		return out, true
	}
	return v, true
}

// parseEnvelope understands the three body shapes of the WebAPI and, optionally, a
// form-urlencoded data=<json>.
func parseEnvelope(r *http.Request, raw []byte) (request, error) {
	body := strings.TrimSpace(string(raw))
	if strings.HasPrefix(strings.ToLower(r.Header.Get("Content-Type")), "application/x-www-form-urlencoded") {
		v, err := url.ParseQuery(body)
		if err != nil {
			return request{}, err
		}
		body = v.Get("data")
	}
	if body == "" {
		return request{named: map[string]any{}}, nil
	}
	d := json.NewDecoder(strings.NewReader(body))
	d.UseNumber()
	var top map[string]any
	if err := d.Decode(&top); err != nil {
		return request{}, fmt.Errorf("body is not a JSON object")
	}
	named := map[string]any{}
	for k, v := range top {
		named[strings.ToLower(k)] = v
	}
	if p, ok := named["parameters"]; ok {
		switch x := p.(type) {
		case []any:
			return request{pos: x}, nil
		case string:
			d := json.NewDecoder(strings.NewReader(x))
			d.UseNumber()
			var arr []any
			if err := d.Decode(&arr); err != nil {
				return request{}, fmt.Errorf("parameters is not a JSON array")
			}
			return request{pos: arr}, nil
		}
		return request{}, fmt.Errorf("parameters must be an array")
	}
	for _, k := range []string{"format", "useragent", "rid", "timestamp", "v"} {
		if k != "timestamp" {
			delete(named, k)
		}
	}
	return request{named: named}, nil
}

func writeJSON(w http.ResponseWriter, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	_, _ = w.Write(b)
}

func writeText(w http.ResponseWriter, s string) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = io.WriteString(w, s)
}

// status is a ResponseStatus.
type status struct {
	ErrorCode       any        `json:"ErrorCode,omitempty"`
	IsSuccess       bool       `json:"IsSuccess"`
	Errors          []message  `json:"Errors"`
	SuccessEntitys  []successE `json:"SuccessEntitys"`
	SuccessMessages []message  `json:"SuccessMessages"`
	MsgCode         int        `json:"MsgCode"`
}

type message struct {
	FieldName *string `json:"FieldName"`
	Message   string  `json:"Message"`
	DIndex    int     `json:"DIndex"`
}

type successE struct {
	ID     int64  `json:"Id"`
	Number string `json:"Number"`
	DIndex int    `json:"DIndex"`
}

func failStatus(code int, field, msg string, dindex int) status {
	m := message{Message: msg, DIndex: dindex}
	if field != "" {
		m.FieldName = &field
	}
	return status{ErrorCode: 500, Errors: []message{m}, SuccessEntitys: []successE{}, SuccessMessages: []message{}, MsgCode: code}
}

// writeFailure answers a failure in the shape the service uses: [[…]] for
// ExecuteBillQuery, a bare object for BillQuery, {"Result":{"ResponseStatus":…}} otherwise.
func (s *Server) writeFailure(w http.ResponseWriter, svc string, code int, field, msg string, dindex int) {
	st := failStatus(code, field, msg, dindex)
	obj := map[string]any{"Result": map[string]any{"ResponseStatus": st}}
	switch svc {
	case "ExecuteBillQuery":
		writeJSON(w, [][]any{{obj}})
	case "BillQuery":
		writeJSON(w, obj)
	case "Save", "Draft":
		writeJSON(w, map[string]any{"Result": map[string]any{"ResponseStatus": st, "Id": "", "NeedReturnData": []any{map[string]any{}}}})
	default:
		writeJSON(w, obj)
	}
}
