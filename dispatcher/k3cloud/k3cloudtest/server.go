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

func newID() string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
