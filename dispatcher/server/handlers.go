package server

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/dropship-operator/dropship-operator/dispatcher/delivery"
	"github.com/dropship-operator/dropship-operator/dispatcher/order"
	"github.com/dropship-operator/dropship-operator/dispatcher/pipeline"
	"github.com/dropship-operator/dropship-operator/dispatcher/store"
	"github.com/dropship-operator/dropship-operator/dispatcher/supplier"
)

// IntakeResult is the 202 answer of POST /v1/orders, one entry per order.
type IntakeResult struct {
	Orders []IntakeOrder `json:"orders"`
}

// IntakeOrder says what intake did with one order.
type IntakeOrder struct {
	BillNo string `json:"billNo"`
	// New are the ids of lines journaled now; Existing those journaled before (a repeat).
	New      []string `json:"new,omitempty"`
	Existing []string `json:"existing,omitempty"`
}

func (s *Server) handleIntake(w http.ResponseWriter, r *http.Request) {
	m := s.p.Metrics()
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxIntakeBytes))
	if err != nil {
		m.IntakeInvalid.WithLabelValues("malformed").Inc()
		writeError(w, http.StatusRequestEntityTooLarge, "body too large or unreadable")
		return
	}
	if status, msg := s.authorizeIntake(r, body); status != 0 {
		m.IntakeInvalid.WithLabelValues("unauthorized").Inc()
		writeError(w, status, msg)
		return
	}
	orders, err := ParseOrders(body)
	if err != nil {
		m.IntakeInvalid.WithLabelValues("malformed").Inc()
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	if bad := validate(orders, s.opts.Source); len(bad) > 0 {
		m.IntakeInvalid.WithLabelValues("invalid").Inc()
		writeJSON(w, http.StatusBadRequest, errorBody{Error: "invalid orders: nothing was journaled", Orders: bad})
		return
	}
	res, err := s.p.Intake(r.Context(), orders)
	if err != nil {
		s.log.Error(err, "cannot journal orders", "orders", len(orders))
		writeError(w, http.StatusServiceUnavailable, "cannot journal the orders; retry")
		return
	}
	out := IntakeResult{Orders: make([]IntakeOrder, len(orders))}
	for i, o := range orders {
		out.Orders[i] = IntakeOrder{BillNo: o.BillNo, New: res[i].New, Existing: res[i].Existing}
	}
	writeJSON(w, http.StatusAccepted, out)
}

// authorizeIntake returns 0 when the request may post orders, or the status to refuse it.
func (s *Server) authorizeIntake(r *http.Request, body []byte) (int, string) {
	if s.opts.IntakeBearerToken != "" && bearerMatches(r, s.opts.IntakeBearerToken) {
		return 0, ""
	}
	if len(s.opts.IntakeHMACSecret) > 0 {
		if err := supplier.VerifyCallback(s.opts.IntakeHMACSecret, r.Header, body, s.opts.Now()); err == nil {
			return 0, ""
		}
	}
	if s.opts.IntakeBearerToken == "" && len(s.opts.IntakeHMACSecret) == 0 {
		if s.opts.AllowUnauthenticatedIntake {
			return 0, ""
		}
		return http.StatusForbidden, "intake has no credentials configured"
	}
	return http.StatusUnauthorized, "missing or invalid signature or token"
}

func (s *Server) handleCallback(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	m := s.p.Metrics()
	secret, ok := s.opts.CallbackSecrets[name]
	if !ok {
		writeError(w, http.StatusNotFound, "no such supplier")
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, supplier.MaxCallbackBytes))
	if err != nil {
		m.Callbacks.WithLabelValues(name, "invalid").Inc()
		writeError(w, http.StatusRequestEntityTooLarge, "body too large or unreadable")
		return
	}
	if len(secret) > 0 {
		if err := supplier.VerifyCallback(secret, r.Header, body, s.opts.Now()); err != nil {
			m.Callbacks.WithLabelValues(name, "unauthorized").Inc()
			writeError(w, http.StatusUnauthorized, "invalid callback signature")
			return
		}
	}
	cb, err := supplier.ParseCallback(body)
	if err != nil {
		m.Callbacks.WithLabelValues(name, "invalid").Inc()
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	l, err := s.p.Shipped(r.Context(), name, cb)
	switch {
	case errors.Is(err, pipeline.ErrUnknownShipment):
		writeError(w, http.StatusNotFound, "no order of this supplier matches")
	case errors.Is(err, pipeline.ErrNotShippable):
		writeError(w, http.StatusConflict, err.Error())
	case err != nil:
		s.log.Error(err, "cannot record shipment", "supplier", name)
		writeError(w, http.StatusServiceUnavailable, "cannot record the shipment; retry")
	default:
		writeJSON(w, http.StatusOK, map[string]string{"line": l.ID, "state": string(l.State)})
	}
}

// LineView is a line as the API shows it: its state, routing and delivery, never the
// consignee's personal data.
type LineView struct {
	ID              string          `json:"id"`
	Source          string          `json:"source"`
	BillNo          string          `json:"billNo"`
	EntryID         string          `json:"entryID"`
	SKU             string          `json:"sku,omitempty"`
	Quantity        float64         `json:"quantity,omitempty"`
	State           order.State     `json:"state"`
	Supplier        string          `json:"supplier,omitempty"`
	Rule            string          `json:"rule,omitempty"`
	Tier            int             `json:"tier"`
	Explain         json.RawMessage `json:"explain,omitempty"`
	Tried           []string        `json:"tried,omitempty"`
	Attempts        int             `json:"attempts"`
	NextAttemptAt   *time.Time      `json:"nextAttemptAt,omitempty"`
	SupplierOrderID string          `json:"supplierOrderID,omitempty"`
	PurchaseOrderNo string          `json:"purchaseOrderNo,omitempty"`
	Shipment        *order.Shipment `json:"shipment,omitempty"`
	Reason          string          `json:"reason,omitempty"`
	LastResponse    string          `json:"lastResponse,omitempty"`
	CreatedAt       time.Time       `json:"createdAt"`
	UpdatedAt       time.Time       `json:"updatedAt"`
	AcceptedAt      *time.Time      `json:"acceptedAt,omitempty"`
}

func view(l *store.Line) LineView {
	v := LineView{ID: l.ID, Source: l.Source, BillNo: l.BillNo, EntryID: l.EntryID, State: l.State,
		Supplier: l.Supplier, Rule: l.Rule, Tier: l.Tier, Explain: l.Explain, Tried: l.Tried,
		Attempts: l.Attempts, SupplierOrderID: l.SupplierOrderID, PurchaseOrderNo: l.PurchaseOrderNo,
		Shipment: l.Shipment, Reason: l.Reason, LastResponse: l.LastResponse,
		CreatedAt: l.CreatedAt, UpdatedAt: l.UpdatedAt}
	if l.Order != nil && l.Index >= 0 && l.Index < len(l.Order.Lines) {
		v.SKU, v.Quantity = l.Order.Lines[l.Index].SKU, l.Order.Lines[l.Index].Quantity
	}
	if !l.NextAttemptAt.IsZero() {
		v.NextAttemptAt = &l.NextAttemptAt
	}
	if !l.AcceptedAt.IsZero() {
		v.AcceptedAt = &l.AcceptedAt
	}
	return v
}

// OrderView is GET /v1/orders/{id}: every journaled line of the order.
type OrderView struct {
	BillNo string     `json:"billNo"`
	Lines  []LineView `json:"lines"`
}

func (s *Server) handleGetOrder(w http.ResponseWriter, r *http.Request) {
	bill := r.PathValue("id")
	lines, err := s.p.Store().List(r.Context(), store.Filter{BillNo: bill, Limit: order.MaxLines})
	if err != nil {
		s.log.Error(err, "cannot list order lines", "order", bill)
		writeError(w, http.StatusServiceUnavailable, "cannot read the journal")
		return
	}
	if len(lines) == 0 {
		writeError(w, http.StatusNotFound, "no such order")
		return
	}
	out := OrderView{BillNo: bill}
	for _, l := range lines {
		out.Lines = append(out.Lines, view(l))
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) handleGetLine(w http.ResponseWriter, r *http.Request) {
	l, err := s.p.Store().Get(r.Context(), r.PathValue("id"))
	if isNotFound(err) {
		writeError(w, http.StatusNotFound, "no such line")
		return
	}
	if err != nil {
		writeError(w, http.StatusServiceUnavailable, "cannot read the journal")
		return
	}
	writeJSON(w, http.StatusOK, view(l))
}

// DeadLetterPage is GET /v1/deadletters.
type DeadLetterPage struct {
	Items []LineView `json:"items"`
	// Next is the cursor of the next page (pass it as ?after=); empty on the last page.
	Next string `json:"next,omitempty"`
}

func (s *Server) handleListDeadLetters(w http.ResponseWriter, r *http.Request) {
	limit := 100
	if v := r.URL.Query().Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 1000 {
			writeError(w, http.StatusBadRequest, "limit must be 1–1000")
			return
		}
		limit = n
	}
	lines, err := s.p.DeadLetters().List(r.Context(), r.URL.Query().Get("after"), limit)
	if err != nil {
		s.log.Error(err, "cannot list dead letters")
		writeError(w, http.StatusServiceUnavailable, "cannot read the journal")
		return
	}
	page := DeadLetterPage{Items: []LineView{}}
	for _, l := range lines {
		page.Items = append(page.Items, view(l))
	}
	if len(lines) == limit {
		page.Next = lines[len(lines)-1].ID
	}
	writeJSON(w, http.StatusOK, page)
}

func (s *Server) handleReplay(w http.ResponseWriter, r *http.Request) {
	l, err := s.p.Replay(r.Context(), r.PathValue("id"))
	switch {
	case isNotFound(err):
		writeError(w, http.StatusNotFound, "no such line")
	case errors.Is(err, delivery.ErrNotDeadLettered), errors.Is(err, store.ErrConflict):
		writeError(w, http.StatusConflict, err.Error())
	case err != nil:
		s.log.Error(err, "cannot replay dead letter")
		writeError(w, http.StatusServiceUnavailable, "cannot replay")
	default:
		s.log.Info("dead letter replayed", "line", l.ID)
		writeJSON(w, http.StatusAccepted, view(l))
	}
}

func isNotFound(err error) bool { return errors.Is(err, store.ErrNotFound) }
