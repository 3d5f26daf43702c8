package k3cloud

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
)

// SaveOptions are the control keys of Save/BatchSave (reference §5.3).
type SaveOptions struct {
	// NeedUpDateFields lists the fields an update writes; others are left alone.
	NeedUpDateFields []string
	// NeedReturnFields are echoed back in OpResult.ReturnData.
	NeedReturnFields []string
	// KeepEntries sends IsDeleteEntry=false: entry rows missing from the model are kept.
	KeepEntries bool
	// AutoSubmitAndAudit saves, submits and audits in one call.
	AutoSubmitAndAudit bool
	// InterationFlags are ;-separated interaction flags to confirm.
	InterationFlags string
	// BatchCount is BatchSave's number of parallel batches on the server; 0 leaves it out.
	BatchCount int
}

func (o SaveOptions) data(model any) (string, error) {
	m := map[string]any{
		"NeedUpDateFields":     nonNil(o.NeedUpDateFields),
		"NeedReturnFields":     nonNil(o.NeedReturnFields),
		"IsDeleteEntry":        !o.KeepEntries,
		"IsAutoSubmitAndAudit": o.AutoSubmitAndAudit,
		"IgnoreInterationFlag": true,
		"InterationFlags":      o.InterationFlags,
		"Model":                model,
	}
	if o.BatchCount > 0 {
		m["BatchCount"] = o.BatchCount
	}
	b, err := json.Marshal(m)
	return string(b), err
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// Save saves one bill (FID 0 or absent creates, FID set updates). The call is a write: it
// is never repeated by the client.
func (c *Client) Save(ctx context.Context, formID string, model any, opts SaveOptions) (OpResult, error) {
	data, err := opts.data(model)
	if err != nil {
		return OpResult{}, fmt.Errorf("cannot encode %q model: %w", formID, err)
	}
	return c.op(ctx, SvcSave, []any{formID, data})
}

// BatchSave saves many bills in one call. Per-record failures come back as an *Error whose
// Errors carry the DIndex of the model; OpResult.Entities lists the records that were saved.
func (c *Client) BatchSave(ctx context.Context, formID string, models []any, opts SaveOptions) (OpResult, error) {
	data, err := opts.data(models)
	if err != nil {
		return OpResult{}, fmt.Errorf("cannot encode %q models: %w", formID, err)
	}
	return c.op(ctx, SvcBatchSave, []any{formID, data})
}

func numbersData(numbers []string) string {
	b, _ := json.Marshal(map[string]any{"CreateOrgId": 0, "Numbers": nonNil(numbers), "Ids": ""})
	return string(b)
}

// Submit submits bills by number.
func (c *Client) Submit(ctx context.Context, formID string, numbers []string) (OpResult, error) {
	return c.op(ctx, SvcSubmit, []any{formID, numbersData(numbers)})
}

// Audit audits bills by number.
func (c *Client) Audit(ctx context.Context, formID string, numbers []string) (OpResult, error) {
	return c.op(ctx, SvcAudit, []any{formID, numbersData(numbers)})
}

// UnAudit reverses the audit of bills by number.
func (c *Client) UnAudit(ctx context.Context, formID string, numbers []string) (OpResult, error) {
	return c.op(ctx, SvcUnAudit, []any{formID, numbersData(numbers)})
}

// Delete deletes bills by number (not allowed while submitted or audited).
func (c *Client) Delete(ctx context.Context, formID string, numbers []string) (OpResult, error) {
	return c.op(ctx, SvcDelete, []any{formID, numbersData(numbers)})
}

// ExecuteOperation runs a named operation (Cancel, Forbid, Enable…) on bills by number,
// with the official SDKs' spelling of the service (ExcuteOperation).
func (c *Client) ExecuteOperation(ctx context.Context, formID, opNumber string, numbers []string) (OpResult, error) {
	return c.op(ctx, SvcExcuteOperation, []any{formID, opNumber, numbersData(numbers)})
}

// View reads one bill by number; the answer's keys are ORM property names (reference
// §3.4), so integrations should prefer ExecuteBillQuery.
func (c *Client) View(ctx context.Context, formID, number string) (map[string]any, error) {
	b, _ := json.Marshal(map[string]any{"CreateOrgId": 0, "Number": number, "Id": "", "IsSortBySeq": "false"})
	var out map[string]any
	err := c.invoke(ctx, SvcView, []any{formID, string(b)}, readCall, func(raw []byte) error {
		var env resultEnvelope
		if err := json.Unmarshal(raw, &env); err != nil {
			return &Error{Service: "View", Message: "answer is not a Result", kind: ErrDecode}
		}
		st := env.status()
		if st != nil && !bool(st.IsSuccess) {
			return st.asError("View")
		}
		if env.Result == nil || len(env.Result.Result) == 0 {
			return &Error{Service: "View", Message: "answer has no data", kind: ErrDecode}
		}
		return json.Unmarshal(env.Result.Result, &out)
	})
	return out, err
}

func (env *resultEnvelope) status() *responseStatus {
	if env.Result != nil && env.Result.ResponseStatus != nil {
		return env.Result.ResponseStatus
	}
	return env.ResponseStatus
}

// op posts a write and decodes the ResponseStatus answer.
func (c *Client) op(ctx context.Context, service string, params []any) (OpResult, error) {
	var out OpResult
	name := shortName(service)
	err := c.invoke(ctx, service, params, writeCall, func(raw []byte) error {
		out = OpResult{}
		var env resultEnvelope
		if err := json.Unmarshal(raw, &env); err != nil {
			return &Error{Service: name, Message: "answer is not a Result: " + snippet(raw), kind: ErrDecode}
		}
		st := env.status()
		if st == nil {
			return &Error{Service: name, Message: "answer has no ResponseStatus", kind: ErrDecode}
		}
		out.Entities = st.SuccessEntitys
		if env.Result != nil {
			out.ID, out.Number = int64(env.Result.ID), string(env.Result.Number)
			if rd := env.Result.NeedReturnData; len(rd) > 0 && strings.HasPrefix(strings.TrimSpace(string(rd)), "[") {
				_ = json.Unmarshal(rd, &out.ReturnData)
			}
		}
		if !bool(st.IsSuccess) {
			e := st.asError(name)
			out.Errors = e.Errors
			return e
		}
		return nil
	})
	return out, err
}
