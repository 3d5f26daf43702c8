package suppliertest

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"time"

	"github.com/dropship-operator/dropship-operator/dispatcher/supplier"
)

// reply writes a JSON answer.
func reply(w http.ResponseWriter, status int, v any) {
	b, _ := json.Marshal(v)
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", fmt.Sprint(len(b)))
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

type apiAnswer struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
	OrderID string `json:"orderId,omitempty"`
	Data    any    `json:"data,omitempty"`
}

func (s *Server) handleSubmit(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	s.stats.requests.Add(1)
	defer func() { s.stats.latency.observe(time.Since(start)) }() // also when dropped
	status := s.submit(w, r)
	if status > 0 && status < len(s.stats.byStatus) {
		s.stats.byStatus[status].Add(1)
	}
}

// submit handles one submission and returns the status it answered (0: none, hung up).
func (s *Server) submit(w http.ResponseWriter, r *http.Request) int {
	p := s.profile.Load()
	body, err := io.ReadAll(io.LimitReader(r.Body, supplier.MaxBodyBytes+1))
	if err != nil {
		s.stats.badRequests.Add(1)
		return 0
	}
	key := r.Header.Get(supplier.HeaderIdempotencyKey)
	s.lastKey.Store(&key)
	if !s.authorized(r, body) {
		s.stats.authFailures.Add(1)
		reply(w, http.StatusUnauthorized, apiAnswer{Code: CodeUnauthorized, Message: "unauthorized"})
		return http.StatusUnauthorized
	}
	if !s.sleep(r.Context(), p) {
		panic(http.ErrAbortHandler) // stopping, or the client left: close without an answer
	}
	roll := rand.Float64()
	switch {
	case roll < p.TimeoutRate:
		if !p.TimeoutAfterAccept {
			s.stats.timeouts.Add(1)
			return s.hang(w, r)
		}
	case roll < p.TimeoutRate+p.DropRate:
		s.stats.dropped.Add(1)
		panic(http.ErrAbortHandler) // net/http closes the connection and logs nothing
	case roll < p.TimeoutRate+p.DropRate+p.ErrorRate:
		s.stats.injectedErrors.Add(1)
		st := p.ErrorStatus
		if st == 0 {
			st = http.StatusServiceUnavailable
		}
		reply(w, st, apiAnswer{Code: CodeInternal, Message: "injected failure"})
		return st
	case roll < p.TimeoutRate+p.DropRate+p.ErrorRate+p.ThrottleRate:
		s.stats.throttled.Add(1)
		ra := p.RetryAfter
		if ra <= 0 {
			ra = time.Second
		}
		if p.RetryAfterDate {
			w.Header().Set("Retry-After", time.Now().Add(ra).UTC().Format(http.TimeFormat))
		} else {
			w.Header().Set("Retry-After", fmt.Sprint(int64((ra+time.Second-1)/time.Second)))
		}
		reply(w, http.StatusTooManyRequests, apiAnswer{Code: CodeThrottled, Message: "too many requests"})
		return http.StatusTooManyRequests
	case roll < p.TimeoutRate+p.DropRate+p.ErrorRate+p.ThrottleRate+p.SoftRejectRate:
		s.stats.softRejected.Add(1)
		reply(w, http.StatusOK, apiAnswer{Code: CodeOutOfStock, Message: "out of stock"})
		return http.StatusOK
	}
	if key == "" {
		s.stats.badRequests.Add(1)
		reply(w, http.StatusBadRequest, apiAnswer{Code: CodeMissingIdemKey, Message: "Idempotency-Key header is required"})
		return http.StatusBadRequest
	}
	if len(body) > supplier.MaxBodyBytes {
		s.stats.badRequests.Add(1)
		reply(w, http.StatusRequestEntityTooLarge, apiAnswer{Code: CodeBadRequest, Message: "body too large"})
		return http.StatusRequestEntityTooLarge
	}
	sub, err := s.opts.Parse(body)
	if err != nil {
		s.stats.badRequests.Add(1)
		reply(w, http.StatusBadRequest, apiAnswer{Code: CodeBadRequest, Message: "malformed order"})
		return http.StatusBadRequest
	}
	if s.known != nil {
		for _, sku := range sub.SKUs {
			if !s.known[sku] {
				s.stats.rejected.Add(1)
				reply(w, s.opts.RejectStatus, apiAnswer{Code: CodeUnknownSKU, Message: "unknown sku " + truncateSKU(sku)})
				return s.opts.RejectStatus
			}
		}
	}
	now := time.Now()
	out := s.ledger.accept(key, sub.Lines, sub.CallbackURL, now, p.ShipDelay)
	id := s.ledger.orderID(out.seq)
	switch {
	case out.conflict:
		s.stats.keyConflicts.Add(1)
		reply(w, http.StatusUnprocessableEntity, apiAnswer{Code: CodeKeyConflict, Message: "Idempotency-Key reused for another order"})
		return http.StatusUnprocessableEntity
	case out.replay:
		s.stats.replays.Add(1)
		w.Header().Set("Idempotent-Replayed", "true")
	default:
		s.stats.accepted.Add(1)
		s.stats.duplicates.Add(uint64(out.duplicates))
		if sub.CallbackURL != "" && p.ShipDelay >= 0 {
			s.shipper.schedule(p.ShipDelay, s.callbackFor(out.seq, id, key, sub.CallbackURL, now.Add(p.ShipDelay)))
		}
	}
	if roll < p.TimeoutRate { // TimeoutAfterAccept
		s.stats.timeouts.Add(1)
		return s.hang(w, r)
	}
	reply(w, http.StatusOK, apiAnswer{Code: CodeOK, Message: "accepted", OrderID: id, Data: map[string]string{"orderId": id}})
	return http.StatusOK
}

func truncateSKU(s string) string {
	if len(s) > 64 {
		return s[:64]
	}
	return s
}

// sleep waits the profile's latency; false when the client went away.
func (s *Server) sleep(ctx context.Context, p *Profile) bool {
	d := p.Latency
	if p.Jitter > 0 {
		d += rand.N(p.Jitter)
	}
	if d <= 0 {
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	case <-s.done:
		return false
	}
}

// hang holds the request until the client gives up or the server stops (then the
// connection is closed without an answer), or HangLimit passes (then it answers 504).
func (s *Server) hang(w http.ResponseWriter, r *http.Request) int {
	t := time.NewTimer(s.opts.HangLimit)
	defer t.Stop()
	select {
	case <-r.Context().Done():
		panic(http.ErrAbortHandler)
	case <-s.release:
		panic(http.ErrAbortHandler)
	case <-t.C:
	}
	reply(w, http.StatusGatewayTimeout, apiAnswer{Code: CodeInternal, Message: "timed out"})
	return http.StatusGatewayTimeout
}
