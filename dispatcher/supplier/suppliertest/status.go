package suppliertest

import (
	"fmt"
	"net/http"
	"time"
)

// statusAnswer is GET /v1/orders/{id}'s data.
type statusAnswer struct {
	OrderID        string    `json:"orderId"`
	IdempotencyKey string    `json:"idempotencyKey"`
	Status         string    `json:"status"`
	TrackingNo     string    `json:"trackingNo,omitempty"`
	Carrier        string    `json:"carrier,omitempty"`
	ShippedAt      time.Time `json:"shippedAt,omitzero"`
}

// Order statuses the status endpoint reports.
const (
	StatusAccepted = "ACCEPTED"
	StatusShipped  = "SHIPPED"
)

func (s *Server) handleStatus(w http.ResponseWriter, r *http.Request) {
	s.stats.statusQueries.Add(1)
	if !s.authorized(r, nil) {
		s.stats.authFailures.Add(1)
		reply(w, http.StatusUnauthorized, apiAnswer{Code: CodeUnauthorized, Message: "unauthorized"})
		return
	}
	if !s.sleep(r.Context(), s.profile.Load()) {
		panic(http.ErrAbortHandler)
	}
	var seq uint32
	var ok bool
	if id := r.PathValue("id"); id != "" {
		seq, ok = s.ledger.seqOf(id)
	} else if key := r.URL.Query().Get("idempotencyKey"); key != "" {
		seq, ok = s.ledger.byIdempotencyKey(key)
	}
	var e Entry
	if ok {
		e, _, ok = s.ledger.entry(seq)
	}
	if !ok {
		reply(w, http.StatusNotFound, apiAnswer{Code: 40400, Message: "no such order"})
		return
	}
	a := statusAnswer{OrderID: e.OrderID, IdempotencyKey: e.IdempotencyKey, Status: StatusAccepted}
	if !e.ShipAt.IsZero() && !time.Now().Before(e.ShipAt) {
		a.Status, a.ShippedAt = StatusShipped, e.ShipAt.UTC()
		a.Carrier, a.TrackingNo = s.tracking(seq)
	}
	reply(w, http.StatusOK, apiAnswer{Code: CodeOK, Message: "ok", Data: a})
}

// tracking derives a carrier and a tracking number from the order's sequence number.
func (s *Server) tracking(seq uint32) (carrier, number string) {
	carrier = s.opts.Carriers[int(seq)%len(s.opts.Carriers)]
	return carrier, fmt.Sprintf("%s%s%010d", carrier, s.opts.OrderIDPrefix, seq)
}
