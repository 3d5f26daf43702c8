package suppliertest

import (
	"crypto/subtle"
	"net/http"
	"time"

	"github.com/dropship-operator/dropship-operator/dispatcher/config"
	"github.com/dropship-operator/dropship-operator/dispatcher/supplier"
)

// Auth is what the simulator demands of callers; the zero value demands nothing.
type Auth struct {
	Type       config.HTTPAuthType
	Token      string // Bearer
	Username   string // Basic
	Password   string // Basic
	APIKey     string // APIKey
	HeaderName string // APIKey header, X-API-Key by default
	HMACSecret string // HMAC (supplier.VerifyRequest)
}

// authorized checks the request against Options.Auth.
func (s *Server) authorized(r *http.Request, body []byte) bool {
	a := s.opts.Auth
	switch a.Type {
	case "", config.HTTPAuthNone:
		return true
	case config.HTTPAuthBearer:
		return constEq(r.Header.Get("Authorization"), "Bearer "+a.Token)
	case config.HTTPAuthBasic:
		u, pw, ok := r.BasicAuth()
		return ok && constEq(u, a.Username) && constEq(pw, a.Password)
	case config.HTTPAuthAPIKey:
		h := a.HeaderName
		if h == "" {
			h = "X-API-Key"
		}
		return constEq(r.Header.Get(h), a.APIKey)
	case config.HTTPAuthHMAC:
		return supplier.VerifyRequest([]byte(a.HMACSecret), r.Header, r.Method, r.URL.RequestURI(), body, time.Now()) == nil
	}
	return false
}

func constEq(a, b string) bool { return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1 }
