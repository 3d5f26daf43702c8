package k3cloudtest

import (
	"crypto/hmac"
	"encoding/base64"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/dropship-operator/dropship-operator/dispatcher/k3cloud"
)

var validLCIDs = map[string]bool{"2052": true, "1033": true, "3076": true}

// login answers ValidateUser, ValidateUser2, LoginByAppSecret and LoginBySign.
func (s *Server) login(w http.ResponseWriter, svc string, q request) {
	o := s.opts
	acct := q.str(0, "acctID", "acctid")
	user := q.str(1, "username", "userName")
	var lcid string
	ok := false
	switch svc {
	case "ValidateUser":
		pwd := q.str(2, "password")
		lcid = q.str(3, "lcid")
		ok = user == o.Username && pwd == o.Password
	case "ValidateUser2":
		pwd := q.str(2, "password")
		lcid = q.str(4, "lcid")
		ok = user == o.Username && pwd == o.Password
	case "LoginByAppSecret":
		appID, secret := q.str(2, "appId"), q.str(3, "appSecret", "appSec")
		lcid = q.str(4, "lcid")
		ok = user == o.Username && appID == o.AppID && hmac.Equal([]byte(secret), []byte(o.AppSecret))
	case "LoginBySign":
		appID, ts, sign := q.str(2, "appId"), q.str(3, "timestamp"), q.str(4, "sign")
		lcid = q.str(5, "lcid")
		ok = user == o.Username && appID == o.AppID && s.freshSign(ts)
		if ok {
			want := k3cloud.LoginSign(k3cloud.SignSHA1, acct, user, appID, o.AppSecret, ts)
			if !o.SHA1Only && !hmac.Equal([]byte(strings.ToLower(sign)), []byte(want)) {
				want = k3cloud.LoginSign(k3cloud.SignSHA256, acct, user, appID, o.AppSecret, ts)
			}
			ok = hmac.Equal([]byte(strings.ToLower(sign)), []byte(want))
		}
	}
	if acct != o.AcctID {
		writeJSON(w, map[string]any{"Message": "数据中心不存在", "MessageCode": "", "LoginResultType": -1,
			"Context": nil, "FormId": nil, "IsSuccessByAPI": false})
		return
	}
	if !ok || (lcid != "" && !validLCIDs[lcid]) {
		writeJSON(w, map[string]any{"Message": "用户名或密码错误！", "MessageCode": "", "LoginResultType": 0,
			"Context": nil, "FormId": nil, "IsSuccessByAPI": false})
		return
	}
	sid := s.newSession(w)
	writeJSON(w, map[string]any{
		"Message": nil, "MessageCode": "CheckPasswordPolicy", "LoginResultType": 1,
		"Context": map[string]any{
			"UserLocale": "zh-CN", "LogLocale": "zh-CN", "DBid": o.AcctID, "DatabaseType": 3,
			"SessionId": sid, "UserId": 16394, "UserName": o.Username, "DisplayVersion": "8.2.0 (simulator)",
			"DataCenterName":          "模拟账套",
			"CurrentOrganizationInfo": map[string]any{"ID": 1, "AcctOrgType": "1", "Name": "模拟组织", "FunctionIds": []int{101, 102}},
		},
		"KDSVCSessionId": sid, "FormId": nil, "KdAccessResult": nil, "IsSuccessByAPI": true,
	})
}

func (s *Server) freshSign(ts string) bool {
	n, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return false
	}
	d := s.opts.Now().Sub(time.Unix(n, 0))
	return d < s.opts.SignWindow && d > -s.opts.SignWindow
}

func (s *Server) newSession(w http.ResponseWriter) string {
	sid := newID()
	s.mu.Lock()
	s.sessions[sid] = &session{lastUsed: s.opts.Now()}
	s.mu.Unlock()
	http.SetCookie(w, &http.Cookie{Name: k3cloud.SessionCookie, Value: sid, Path: "/"})
	http.SetCookie(w, &http.Cookie{Name: k3cloud.ASPNETSessionCookie, Value: newID(), Path: "/", HttpOnly: true})
	return sid
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request) {
	sid := sessionID(r)
	s.mu.Lock()
	_, ok := s.sessions[sid]
	delete(s.sessions, sid)
	s.mu.Unlock()
	writeJSON(w, ok)
}

// sessionID is the session a request carries: cookie, kdservice-sessionid header or SID.
func sessionID(r *http.Request) string {
	if c, err := r.Cookie(k3cloud.SessionCookie); err == nil && c.Value != "" {
		return c.Value
	}
	if v := r.Header.Get(k3cloud.SessionCookie); v != "" {
		return v
	}
	return r.Header.Get("SID")
}

// authorize lets a call through with a live session (touching it: the timeout slides) or
// valid X-Kd-* signature headers (creating a session). A failure returns ok=false and either
// an HTTP status with a body (wrong acct) or status 0 for a MsgCode 1 answer.
func (s *Server) authorize(w http.ResponseWriter, r *http.Request) (ok bool, httpStatus int, body string) {
	now := s.opts.Now()
	if sid := sessionID(r); sid != "" {
		s.mu.Lock()
		se, live := s.sessions[sid]
		if live && now.Sub(se.lastUsed) > s.opts.SessionIdle {
			delete(s.sessions, sid)
			live = false
		}
		if live {
			se.lastUsed = now
		}
		s.mu.Unlock()
		if live {
			return true, 0, ""
		}
	}
	appKey := r.Header.Get("X-Kd-Appkey")
	if appKey == "" {
		return false, 0, ""
	}
	raw, err := base64.StdEncoding.DecodeString(r.Header.Get("X-Kd-Appdata"))
	if err != nil {
		return false, 0, ""
	}
	appData := string(raw)
	parts := strings.Split(appData, ",")
	if len(parts) < 3 {
		return false, 0, ""
	}
	if parts[0] != s.opts.AcctID {
		return false, http.StatusInternalServerError, "Fail to verify thirty passport"
	}
	want := k3cloud.KDHMAC(appKey+appData, s.opts.AppSecret)
	good := appKey == s.opts.AppID && parts[1] == s.opts.Username && validLCIDs[parts[2]] &&
		hmac.Equal([]byte(r.Header.Get("X-Kd-Signature")), []byte(want))
	if good && s.opts.VerifyAPISignature {
		_, gw := k3cloud.GatewaySecret(appKey)
		nonce, ts := r.Header.Get("X-Api-Nonce"), r.Header.Get("X-Api-Timestamp")
		sig := k3cloud.KDHMAC(k3cloud.APIStringToSign(r.URL.EscapedPath(), nonce, ts), gw)
		good = hmac.Equal([]byte(r.Header.Get("X-Api-Signature")), []byte(sig))
	}
	if !good {
		// The real server sets a useless cookie even on failure.
		http.SetCookie(w, &http.Cookie{Name: k3cloud.ASPNETSessionCookie, Value: newID(), Path: "/", HttpOnly: true})
		return false, 0, ""
	}
	s.newSession(w)
	return true, 0, ""
}

// ExpireSessions drops every session, as if the idle timeout had passed for all of them.
func (s *Server) ExpireSessions() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sessions = map[string]*session{}
}

// Sessions is how many sessions are live.
func (s *Server) Sessions() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.sessions)
}
