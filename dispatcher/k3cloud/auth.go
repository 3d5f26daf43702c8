package k3cloud

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"github.com/dropship-operator/dropship-operator/dispatcher/config"
)

// LoginResult is the answer of the AuthService logins (the fields the client uses).
type LoginResult struct {
	Message         LooseString `json:"Message"`
	MessageCode     LooseString `json:"MessageCode"`
	LoginResultType LooseInt    `json:"LoginResultType"`
	KDSVCSessionID  LooseString `json:"KDSVCSessionId"`
	IsSuccessByAPI  LooseBool   `json:"IsSuccessByAPI"`
	Context         *struct {
		SessionID LooseString `json:"SessionId"`
		UserID    LooseInt    `json:"UserId"`
		UserName  LooseString `json:"UserName"`
		DBID      LooseString `json:"DBid"`
	} `json:"Context"`
}

// Login result types (reference §2.1).
const (
	LoginSuccess       = 1
	LoginDealWithForm  = -5
	LoginPasswordWrong = 0
	LoginFailure       = -1
)

// loginLocked opens a session with the configured login method. c.mu is held.
func (c *Client) loginLocked(ctx context.Context) error {
	lcid := c.conn.LCID
	switch c.conn.Auth.Mode {
	case config.K3CloudAuthPassword:
		return c.loginCall(ctx, SvcValidateUser, []any{c.conn.AcctID, c.creds.Username, c.creds.Password, lcid})
	case config.K3CloudAuthAppSecret:
		return c.loginCall(ctx, SvcLoginByAppSecret, []any{c.conn.AcctID, c.creds.Username, c.creds.AppID, c.creds.AppSecret, lcid})
	case config.K3CloudAuthSign:
		alg := SignSHA256
		if c.sha1 {
			alg = SignSHA1
		}
		err := c.loginBySign(ctx, alg)
		if alg == SignSHA256 && errors.Is(err, ErrLogin) {
			// Servers before 8.0.0.202205 only verify SHA-1 signs.
			if err2 := c.loginBySign(ctx, SignSHA1); err2 == nil {
				c.sha1 = true
				return nil
			}
		}
		return err
	}
	return nil
}

func (c *Client) loginBySign(ctx context.Context, alg SignAlgorithm) error {
	ts := strconv.FormatInt(c.opts.Now().Unix(), 10)
	sign := LoginSign(alg, c.conn.AcctID, c.creds.Username, c.creds.AppID, c.creds.AppSecret, ts)
	return c.loginCall(ctx, SvcLoginBySign, []any{c.conn.AcctID, c.creds.Username, c.creds.AppID, ts, sign, strconv.Itoa(c.conn.LCID)})
}

// loginCall posts a login and checks its LoginResult. The session cookie is kept in the jar;
// when the server only returned KDSVCSessionId, the client sets the cookie itself.
func (c *Client) loginCall(ctx context.Context, service string, params []any) error {
	body, err := json.Marshal(map[string]any{"parameters": params})
	if err != nil {
		return fmt.Errorf("cannot encode %s request: %w", shortName(service), err)
	}
	raw, err := c.post(ctx, service, body, c.jar)
	if err != nil {
		return err
	}
	var lr LoginResult
	if err := json.Unmarshal(raw, &lr); err != nil {
		return &Error{Service: shortName(service), Message: "answer is not a LoginResult", kind: ErrDecode}
	}
	t := int(lr.LoginResultType)
	if t != LoginSuccess && t != LoginDealWithForm {
		return &Error{Service: shortName(service), LoginResultType: t, Message: string(lr.Message), kind: ErrLogin}
	}
	sid := string(lr.KDSVCSessionID)
	if sid == "" && lr.Context != nil {
		sid = string(lr.Context.SessionID)
	}
	has := false
	for _, ck := range c.jar.Cookies(c.base) {
		has = has || ck.Name == SessionCookie
	}
	if !has {
		if sid == "" {
			return &Error{Service: shortName(service), LoginResultType: t, Message: "login answer carries no session", kind: ErrLogin}
		}
		c.jar.SetCookies(c.base, []*http.Cookie{{Name: SessionCookie, Value: sid, Path: "/"}})
	}
	return nil
}

// Logout ends the session (login modes); the next call logs in again.
func (c *Client) Logout(ctx context.Context) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.loggedIn {
		return nil
	}
	_, err := c.post(ctx, SvcLogout, []byte(`{"parameters":[]}`), c.jar)
	c.loggedIn = false
	c.gen++
	c.jar = newJar()
	return err
}
