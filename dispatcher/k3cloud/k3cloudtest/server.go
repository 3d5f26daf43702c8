package k3cloudtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"time"
)

// Options configure a simulated K3Cloud site. Zero values take the defaults noted.
type Options struct {
	// AcctID is the data centre id; default DefaultAcctID.
	AcctID string
	// Username, Password, AppID and AppSecret are the one integration user's credentials;
	// defaults DefaultUsername, DefaultPassword, DefaultAppID, DefaultAppSecret.
	Username, Password, AppID, AppSecret string
	// SessionIdle is the sliding idle timeout of a session; default 20 minutes.
	SessionIdle time.Duration
	// MaxLimit is the largest page a query returns; default 2000.
	MaxLimit int
	// Latency is added to every call.
	Latency time.Duration
	// CallLimit answers MsgCode 14 once more than this many calls came in one
	// CallLimitWindow (default one minute); 0 = no limit.
	CallLimit       int
	CallLimitWindow time.Duration
	// SignWindow is how far a LoginBySign timestamp may be from the server clock; default 15m.
	SignWindow time.Duration
	// SHA1Only emulates a server older than 8.0.0.202205: LoginBySign verifies SHA-1 only.
	SHA1Only bool
	// VerifyAPISignature also checks X-Api-Signature (only Kingdee's gateway does).
	VerifyAPISignature bool
	// CustomFields are text fields added to the header of both forms; default F_TrackingNo
	// and F_Carrier (F_DropShip, a number, always exists on sales orders).
	CustomFields []string
	// CustomEntryFields are text fields added to the entries of both forms; default
	// F_EntryTrackingNo and F_EntryCarrier. Field keys are unique per form, as in Kingdee.
	CustomEntryFields []string
	// Suppliers and Materials, when not nil, are the base-data numbers that exist; a Save
	// naming another fails with MsgCode 9.
	Suppliers []string
	Materials []string
	// Now is the server clock; default time.Now.
	Now func() time.Time
	// Location is the server's local zone (answers carry no offset); default UTC+8.
	Location *time.Location
}

// Defaults of Options.
const (
	DefaultAcctID    = "64a1b2c3d4e5f6"
	DefaultUsername  = "apiuser"
	DefaultPassword  = "P@ssw0rd"
	DefaultAppID     = "200001_AAECAwQFBgcICQoLDA0ODxAREhMUFRYX"
	DefaultAppSecret = "0123456789abcdef0123456789abcdef"
)

// Fault makes the next calls of a service fail or slow down.
type Fault struct {
	// Service is the short service name ("Save", "ExecuteBillQuery"), case-insensitive;
	// empty matches every service.
	Service string
	// Times is how many calls the fault hits; 0 = every call until ClearFaults.
	Times int
	// Latency is added before answering.
	Latency time.Duration
	// HTTPStatus answers with this status and Body.
	HTTPStatus int
	Body       string
	// AfterProcessing runs the call before answering HTTPStatus: the write happened but
	// the client never hears of it (a crash or a lost answer).
	AfterProcessing bool
	// ResponseError answers "response_error:" with this message.
	ResponseError string
	// MsgCode answers a business failure with this code and Message (13 network control,
	// 14 call limit, …).
	MsgCode int
	Message string
}

type session struct {
	lastUsed time.Time
}

// Server is the simulator. It is an http.Handler; Start serves it on a loopback port.
type Server struct {
	opts Options

	mu       sync.Mutex
	forms    map[string]*form // lower-case form id
	sessions map[string]*session
	calls    map[string]int
	faults   []*Fault
	nextID   int64
	nextEnt  int64
	window   time.Time
	inWindow int
	// version increases with every change to the data; it keys the query cache, which
	// keeps the filtered, sorted rows of the last query so paging through it is linear.
	version int64
	cache   struct {
		key     string
		version int64
		rows    []rowCtx
	}

	hs  *http.Server
	ln  net.Listener
	url string
}

// NewServer builds a simulator with empty forms.
func NewServer(opts Options) *Server {
	if opts.AcctID == "" {
		opts.AcctID = DefaultAcctID
	}
	if opts.Username == "" {
		opts.Username = DefaultUsername
	}
	if opts.Password == "" {
		opts.Password = DefaultPassword
	}
	if opts.AppID == "" {
		opts.AppID = DefaultAppID
	}
	if opts.AppSecret == "" {
		opts.AppSecret = DefaultAppSecret
	}
	if opts.SessionIdle <= 0 {
		opts.SessionIdle = 20 * time.Minute
	}
	if opts.MaxLimit <= 0 {
		opts.MaxLimit = 2000
	}
	if opts.CallLimitWindow <= 0 {
		opts.CallLimitWindow = time.Minute
	}
	if opts.SignWindow <= 0 {
		opts.SignWindow = 15 * time.Minute
	}
	if opts.CustomFields == nil {
		opts.CustomFields = []string{"F_TrackingNo", "F_Carrier"}
	}
	if opts.CustomEntryFields == nil {
		opts.CustomEntryFields = []string{"F_EntryTrackingNo", "F_EntryCarrier"}
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Location == nil {
		opts.Location = time.FixedZone("CST", 8*3600)
	}
	s := &Server{
		opts:     opts,
		forms:    map[string]*form{},
		sessions: map[string]*session{},
		calls:    map[string]int{},
		nextID:   100000,
		nextEnt:  200000,
	}
	for _, sch := range []*schema{saleOrderSchema(opts.CustomFields, opts.CustomEntryFields), purchaseOrderSchema(opts.CustomFields, opts.CustomEntryFields)} {
		s.forms[strings.ToLower(sch.FormID)] = newForm(sch)
	}
	return s
}

// Start serves the simulator on 127.0.0.1 on a free port and returns the site root URL
// (http://127.0.0.1:PORT/k3cloud/).
func (s *Server) Start() (string, error) {
	return s.StartOn("127.0.0.1:0")
}

// StartOn serves the simulator on addr.
func (s *Server) StartOn(addr string) (string, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return "", fmt.Errorf("cannot listen on %q: %w", addr, err)
	}
	s.ln = ln
	s.hs = &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second}
	s.url = "http://" + ln.Addr().String() + "/k3cloud/"
	go func() { _ = s.hs.Serve(ln) }()
	return s.url, nil
}

// URL is the site root once started.
func (s *Server) URL() string { return s.url }

// Close stops serving.
func (s *Server) Close() error {
	if s.hs == nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return s.hs.Shutdown(ctx)
}

// Options returns the effective options (defaults filled).
func (s *Server) Options() Options { return s.opts }

// services maps lower-case service names to their short name.
var services = func() map[string]string {
	m := map[string]string{}
	for _, n := range []string{"ValidateUser", "ValidateUser2", "LoginByAppSecret", "LoginBySign", "Logout"} {
		m[strings.ToLower("Kingdee.BOS.WebApi.ServicesStub.AuthService."+n)] = n
	}
	for _, n := range []string{"ExecuteBillQuery", "BillQuery", "View", "Save", "BatchSave", "Draft", "Submit",
		"Audit", "UnAudit", "Delete", "ExcuteOperation", "ExecuteOperation"} {
		m[strings.ToLower("Kingdee.BOS.WebApi.ServicesStub.DynamicFormService."+n)] = n
	}
	m[strings.ToLower("Kingdee.BOS.ServiceFacade.ServicesStub.Account.AccountService.GetDataCenterList")] = "GetDataCenterList"
	return m
}()

// ServeHTTP routes POST <vdir>/<ServiceName>.common.kdsvc.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	last := r.URL.Path[strings.LastIndexByte(r.URL.Path, '/')+1:]
	lower := strings.ToLower(last)
	if !strings.HasSuffix(lower, ".common.kdsvc") {
		http.NotFound(w, r)
		return
	}
	svc, ok := services[strings.TrimSuffix(lower, ".common.kdsvc")]
	if !ok {
		http.NotFound(w, r)
		return
	}
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	if svc == "ExecuteOperation" {
		svc = "ExcuteOperation"
	}
	raw, err := io.ReadAll(io.LimitReader(r.Body, 64<<20))
	if err != nil {
		http.Error(w, "cannot read body", http.StatusBadRequest)
		return
	}
	f, limited := s.admit(svc)
	if d := s.opts.Latency + faultLatency(f); d > 0 {
		select {
		case <-time.After(d):
		case <-r.Context().Done():
			return
		}
	}
	if f != nil && f.HTTPStatus != 0 && !f.AfterProcessing {
		w.WriteHeader(f.HTTPStatus)
		_, _ = io.WriteString(w, f.Body)
		return
	}
	if f != nil && f.ResponseError != "" {
		b, _ := json.Marshal(map[string]any{"Message": f.ResponseError, "InnerExWrapper": nil, "InnerException": nil})
		writeText(w, "response_error:"+string(b))
		return
	}
	if limited {
		s.writeFailure(w, svc, 14, "", "调用次数超过限制，请稍后再试", 0)
		return
	}
	if f != nil && f.MsgCode != 0 {
		msg := f.Message
		if msg == "" {
			msg = fmt.Sprintf("模拟故障 MsgCode %d", f.MsgCode)
		}
		s.writeFailure(w, svc, f.MsgCode, "", msg, 0)
		return
	}
	req, err := parseEnvelope(r, raw)
	if err != nil {
		b, _ := json.Marshal(map[string]any{"Message": "请求参数反序列化失败: " + err.Error()})
		writeText(w, "response_error:"+string(b))
		return
	}
	switch svc {
	case "ValidateUser", "ValidateUser2", "LoginByAppSecret", "LoginBySign":
		s.login(w, svc, req)
		return
	case "Logout":
		s.logout(w, r)
		return
	case "GetDataCenterList":
		writeJSON(w, []any{map[string]any{"Id": s.opts.AcctID, "Number": "01", "Name": "模拟账套"}})
		return
	}
	if ok, status, body := s.authorize(w, r); !ok {
		if status != 0 {
			w.WriteHeader(status)
			_, _ = io.WriteString(w, body)
			return
		}
		s.writeFailure(w, svc, 1, "", "会话信息已丢失，请重新登录", 0)
		return
	}
	if f != nil && f.HTTPStatus != 0 && f.AfterProcessing {
		s.dispatch(httptest.NewRecorder(), svc, req)
		w.WriteHeader(f.HTTPStatus)
		_, _ = io.WriteString(w, f.Body)
		return
	}
	s.dispatch(w, svc, req)
}

// admit counts the call and picks the fault that hits it.
func (s *Server) admit(svc string) (*Fault, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls[svc]++
	now := s.opts.Now()
	limited := false
	if s.opts.CallLimit > 0 {
		if now.Sub(s.window) >= s.opts.CallLimitWindow {
			s.window, s.inWindow = now, 0
		}
		s.inWindow++
		limited = s.inWindow > s.opts.CallLimit
	}
	for i, f := range s.faults {
		if f.Service != "" && !strings.EqualFold(f.Service, svc) {
			continue
		}
		if f.Times > 0 {
			f.Times--
			if f.Times == 0 {
				s.faults = append(s.faults[:i:i], s.faults[i+1:]...)
			}
		}
		return f, limited
	}
	return nil, limited
}

func faultLatency(f *Fault) time.Duration {
	if f == nil {
		return 0
	}
	return f.Latency
}

// InjectFault adds a fault; faults are matched in the order they were added.
func (s *Server) InjectFault(f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, &f)
}

// ClearFaults removes every fault.
func (s *Server) ClearFaults() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = nil
}

// Calls returns how many calls each service (short name) received, logins included.
func (s *Server) Calls() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]int, len(s.calls))
	for k, v := range s.calls {
		out[k] = v
	}
	return out
}

// CallCount is how many calls one service (short name, case-insensitive) received.
func (s *Server) CallCount(service string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for k, v := range s.calls {
		if strings.EqualFold(k, service) {
			n += v
		}
	}
	return n
}

// TotalCalls is every call received, logins included.
func (s *Server) TotalCalls() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, v := range s.calls {
		n += v
	}
	return n
}

// ResetCalls zeroes the counters.
func (s *Server) ResetCalls() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls = map[string]int{}
}

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

func newID() string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
