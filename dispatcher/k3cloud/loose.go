package k3cloud

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
)

// The WebAPI's JSON is loosely typed (reference §6.9): booleans arrive as true or "true",
// ids as numbers on success and "" on failure, ErrorCode as 500 or "". These types decode
// every form seen and never fail on a type mismatch.

// LooseBool decodes true, "true", "True", 1 and "1" as true.
type LooseBool bool

// UnmarshalJSON implements json.Unmarshaler.
func (b *LooseBool) UnmarshalJSON(data []byte) error {
	s := strings.ToLower(strings.Trim(string(bytes.TrimSpace(data)), `"`))
	*b = LooseBool(s == "true" || s == "1")
	return nil
}

// LooseInt decodes a number, a numeric string, or ""/null (zero).
type LooseInt int64

// UnmarshalJSON implements json.Unmarshaler.
func (n *LooseInt) UnmarshalJSON(data []byte) error {
	s := strings.Trim(string(bytes.TrimSpace(data)), `"`)
	if s == "" || s == "null" {
		*n = 0
		return nil
	}
	if v, err := strconv.ParseInt(s, 10, 64); err == nil {
		*n = LooseInt(v)
		return nil
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil {
		*n = LooseInt(f)
	}
	return nil
}

// LooseString decodes a string, a number (its text) or null ("").
type LooseString string

// UnmarshalJSON implements json.Unmarshaler.
func (s *LooseString) UnmarshalJSON(data []byte) error {
	data = bytes.TrimSpace(data)
	if len(data) == 0 || string(data) == "null" {
		*s = ""
		return nil
	}
	if data[0] == '"' {
		var v string
		if err := json.Unmarshal(data, &v); err != nil {
			return err
		}
		*s = LooseString(v)
		return nil
	}
	*s = LooseString(data)
	return nil
}

type responseStatus struct {
	ErrorCode       LooseInt        `json:"ErrorCode"`
	IsSuccess       LooseBool       `json:"IsSuccess"`
	Errors          []looseMessage  `json:"Errors"`
	SuccessEntitys  []SuccessEntity `json:"SuccessEntitys"`
	SuccessMessages []looseMessage  `json:"SuccessMessages"`
	MsgCode         LooseInt        `json:"MsgCode"`
}

type looseMessage struct {
	FieldName LooseString `json:"FieldName"`
	Message   LooseString `json:"Message"`
	DIndex    LooseInt    `json:"DIndex"`
}

// SuccessEntity is one bill a Save/BatchSave/Submit/Audit processed.
type SuccessEntity struct {
	ID     LooseInt    `json:"Id"`
	Number LooseString `json:"Number"`
	DIndex LooseInt    `json:"DIndex"`
}

// OpResult is the decoded answer of a Save, BatchSave or operation.
type OpResult struct {
	// Entities lists each processed bill with the DIndex of its record.
	Entities []SuccessEntity
	// ID and Number are the saved bill's (Save only).
	ID     int64
	Number string
	// ReturnData is NeedReturnData, one object per saved model.
	ReturnData []map[string]any
	// Errors are per-record errors of a partially successful call (BatchSave); the call as
	// a whole still returned an *Error when this is not empty.
	Errors []FieldError
}

type resultEnvelope struct {
	Result *struct {
		ResponseStatus *responseStatus `json:"ResponseStatus"`
		ID             LooseInt        `json:"Id"`
		Number         LooseString     `json:"Number"`
		NeedReturnData json.RawMessage `json:"NeedReturnData"`
		Result         json.RawMessage `json:"Result"`
	} `json:"Result"`
	ResponseStatus *responseStatus `json:"ResponseStatus"`
}
