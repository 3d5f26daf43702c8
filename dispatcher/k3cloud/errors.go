package k3cloud

import (
	"errors"
	"fmt"
	"strings"
)

// MsgCode values of the ResponseStatus (reference §3.1).
const (
	MsgDefault        = 0
	MsgSessionLost    = 1
	MsgNoPermission   = 2
	MsgException      = 4
	MsgParameter      = 8
	MsgNotExist       = 9
	MsgNoData         = 10
	MsgValidation     = 11
	MsgNotOperable    = 12
	MsgNetworkControl = 13
	MsgCallLimit      = 14
)

// Sentinel kinds an *Error matches with errors.Is.
var (
	// ErrSessionLost: MsgCode 1, the session expired or the credentials were refused.
	ErrSessionLost = errors.New("k3cloud: session lost")
	// ErrNoPermission: MsgCode 2.
	ErrNoPermission = errors.New("k3cloud: no permission")
	// ErrException: MsgCode 4 (unknown form, bad filter, server exception) and
	// "response_error:" bodies.
	ErrException = errors.New("k3cloud: server exception")
	// ErrParameter: MsgCode 8 (a missing or bad parameter).
	ErrParameter = errors.New("k3cloud: bad parameter")
	// ErrNotExist: MsgCode 9 (a field or value does not exist).
	ErrNotExist = errors.New("k3cloud: field or value does not exist")
	// ErrNoData: MsgCode 10.
	ErrNoData = errors.New("k3cloud: no such data")
	// ErrValidation: MsgCode 11 (duplicate number, required field, wrong status).
	ErrValidation = errors.New("k3cloud: validation failed")
	// ErrNotOperable: MsgCode 12.
	ErrNotOperable = errors.New("k3cloud: operation not allowed")
	// ErrNetworkControl: MsgCode 13 (another operation holds the bill; retry later).
	ErrNetworkControl = errors.New("k3cloud: network-control conflict")
	// ErrCallLimit: MsgCode 14 (the server limits calls; retry later).
	ErrCallLimit = errors.New("k3cloud: call limit")
	// ErrFailed: any other business failure.
	ErrFailed = errors.New("k3cloud: call failed")
	// ErrHTTP: the server answered with an HTTP status other than 200 or 206.
	ErrHTTP = errors.New("k3cloud: unexpected HTTP status")
	// ErrLogin: a login was refused (LoginResultType not 1).
	ErrLogin = errors.New("k3cloud: login refused")
	// ErrDecode: the answer was not the JSON the service returns.
	ErrDecode = errors.New("k3cloud: cannot decode answer")
)

// FieldError is one entry of ResponseStatus.Errors: the message Kingdee gave, the field it
// concerns (may be empty) and the index of the record in the request (DIndex).
type FieldError struct {
	FieldName string
	Message   string
	DIndex    int
}

// Error is a failed WebAPI call. It matches one of the sentinel kinds with errors.Is and is
// reached with errors.As. It never holds credentials.
type Error struct {
	// Service is the short service name, for example "Save" or "ExecuteBillQuery".
	Service string
	// MsgCode is the ResponseStatus MsgCode (0 when the failure was not a business answer).
	MsgCode int
	// HTTPStatus is set when the server answered with a status other than 200/206.
	HTTPStatus int
	// LoginResultType is set for refused logins.
	LoginResultType int
	// Errors are the per-record errors; DIndex maps them back to the request.
	Errors []FieldError
	// Message is a summary (the first error's message, or the server's text).
	Message string
	kind    error
}

// Error describes the failure with Kingdee's messages (never credentials).
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("k3cloud ")
	b.WriteString(e.Service)
	switch {
	case e.HTTPStatus != 0:
		fmt.Fprintf(&b, ": HTTP %d", e.HTTPStatus)
	case errors.Is(e.kind, ErrLogin):
		fmt.Fprintf(&b, ": login refused (LoginResultType %d)", e.LoginResultType)
	default:
		fmt.Fprintf(&b, ": MsgCode %d", e.MsgCode)
	}
	if len(e.Errors) > 0 {
		for i, fe := range e.Errors {
			if i == 3 {
				fmt.Fprintf(&b, "; and %d more", len(e.Errors)-3)
				break
			}
			b.WriteString("; ")
			if fe.FieldName != "" {
				b.WriteString(fe.FieldName + ": ")
			}
			fmt.Fprintf(&b, "%s (DIndex %d)", fe.Message, fe.DIndex)
		}
	} else if e.Message != "" {
		b.WriteString(": " + e.Message)
	}
	return b.String()
}

// Is matches the sentinel kind of the error.
func (e *Error) Is(target error) bool { return target == e.Kind() }

// Kind is the sentinel the error matches.
func (e *Error) Kind() error {
	if e.kind != nil {
		return e.kind
	}
	return kindOf(e.MsgCode)
}

// ForIndex returns the errors of the record at DIndex i.
func (e *Error) ForIndex(i int) []FieldError {
	var out []FieldError
	for _, fe := range e.Errors {
		if fe.DIndex == i {
			out = append(out, fe)
		}
	}
	return out
}

func kindOf(code int) error {
	switch code {
	case MsgSessionLost:
		return ErrSessionLost
	case MsgNoPermission:
		return ErrNoPermission
	case MsgException:
		return ErrException
	case MsgParameter:
		return ErrParameter
	case MsgNotExist:
		return ErrNotExist
	case MsgNoData:
		return ErrNoData
	case MsgValidation:
		return ErrValidation
	case MsgNotOperable:
		return ErrNotOperable
	case MsgNetworkControl:
		return ErrNetworkControl
	case MsgCallLimit:
		return ErrCallLimit
	}
	return ErrFailed
}

// Temporary reports whether err is worth retrying later unchanged: network-control
// conflicts, call limits, HTTP 5xx and transport failures (anything that is not a
// business answer).
func Temporary(err error) bool {
	var e *Error
	if !errors.As(err, &e) {
		return err != nil
	}
	switch {
	case e.HTTPStatus >= 500 || e.HTTPStatus == 429:
		return true
	case errors.Is(e, ErrNetworkControl), errors.Is(e, ErrCallLimit), errors.Is(e, ErrSessionLost):
		return true
	}
	return false
}

func (s *responseStatus) asError(service string) *Error {
	e := &Error{Service: service, MsgCode: int(s.MsgCode)}
	for _, fe := range s.Errors {
		e.Errors = append(e.Errors, FieldError{FieldName: string(fe.FieldName), Message: string(fe.Message), DIndex: int(fe.DIndex)})
	}
	if len(e.Errors) > 0 {
		e.Message = e.Errors[0].Message
	}
	if e.MsgCode == 0 && len(e.Errors) > 0 && strings.Contains(e.Message, "会话信息已丢失") {
		e.MsgCode = MsgSessionLost
	}
	return e
}
