package server

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	"github.com/go-logr/logr"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/dropship-operator/dropship-operator/dispatcher/pipeline"
)

// Options configure the server.
type Options struct {
	// Addr to listen on (":8080"; "127.0.0.1:0" for a random port).
	Addr string
	// Source is the webhook OrderSource name: orders without a source get it; orders naming
	// another source are refused.
	Source string
	// IntakeHMACSecret and IntakeBearerToken authenticate POST /v1/orders: a request is let
	// in when it carries a valid signature for the first or the token for the second.
	// When both are empty, intake is closed (403) unless AllowUnauthenticatedIntake.
	IntakeHMACSecret           []byte
	IntakeBearerToken          string
	AllowUnauthenticatedIntake bool
	// CallbackSecrets holds, per supplier, the HMAC key its shipment callbacks are verified
	// with; a supplier present with an empty key posts unsigned callbacks; a supplier absent
	// from the map has no callback endpoint (404).
	CallbackSecrets map[string][]byte
	// AdminToken, when set, is the bearer token required by the lookup and dead-letter
	// endpoints.
	AdminToken string
	// Now is the clock for signature timestamps; time.Now when nil.
	Now func() time.Time
}

// Server is the dispatcher's HTTP server.
type Server struct {
	opts  Options
	p     *pipeline.Pipeline
	log   logr.Logger
	ln    net.Listener
	srv   *http.Server
	ready atomic.Bool
}

// New listens on opts.Addr (so Addr is known at once) and prepares the routes.
func New(opts Options, p *pipeline.Pipeline, log logr.Logger) (*Server, error) {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	ln, err := net.Listen("tcp", opts.Addr)
	if err != nil {
		return nil, fmt.Errorf("cannot listen on %q: %w", opts.Addr, err)
	}
	s := &Server{opts: opts, p: p, log: log, ln: ln}
	s.srv = &http.Server{
		Handler:           s.Handler(),
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          nil,
	}
	return s, nil
}

// Addr is the address the server listens on.
func (s *Server) Addr() string { return s.ln.Addr().String() }

// Handler returns the routes (Go 1.22 ServeMux patterns).
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/orders", s.handleIntake)
	mux.HandleFunc("GET /v1/orders/{id}", s.admin(s.handleGetOrder))
	mux.HandleFunc("GET /v1/lines/{id}", s.admin(s.handleGetLine))
	mux.HandleFunc("POST /v1/suppliers/{name}/shipments", s.handleCallback)
	mux.HandleFunc("GET /v1/deadletters", s.admin(s.handleListDeadLetters))
	mux.HandleFunc("POST /v1/deadletters/{id}/replay", s.admin(s.handleReplay))
	mux.Handle("GET /metrics", promhttp.HandlerFor(s.p.Metrics().Registry, promhttp.HandlerOpts{}))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	mux.HandleFunc("GET /readyz", s.handleReady)
	return mux
}

// Run serves until ctx ends (then shuts down gracefully, 10s at most) or Shutdown is called.
func (s *Server) Run(ctx context.Context) error {
	s.ready.Store(true)
	errc := make(chan error, 1)
	go func() { errc <- s.srv.Serve(s.ln) }()
	select {
	case err := <-errc:
		if errors.Is(err, http.ErrServerClosed) {
			return nil
		}
		return fmt.Errorf("cannot serve on %q: %w", s.Addr(), err)
	case <-ctx.Done():
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancel()
		return s.Shutdown(sctx)
	}
}

// Shutdown stops taking connections (readyz answers 503 first) and waits for requests in
// flight until ctx ends.
func (s *Server) Shutdown(ctx context.Context) error {
	s.ready.Store(false)
	if err := s.srv.Shutdown(ctx); err != nil {
		return fmt.Errorf("cannot shut the HTTP server down gracefully: %w", err)
	}
	return nil
}

func (s *Server) handleReady(w http.ResponseWriter, r *http.Request) {
	select {
	case <-s.p.Ready():
	default:
		writeError(w, http.StatusServiceUnavailable, "pipeline not started")
		return
	}
	if !s.ready.Load() {
		writeError(w, http.StatusServiceUnavailable, "shutting down")
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	if _, err := s.p.Store().Cursor(ctx, "readyz"); err != nil && !isNotFound(err) {
		writeError(w, http.StatusServiceUnavailable, "journal unavailable")
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ready"})
}

// admin guards an endpoint with the admin token when one is set.
func (s *Server) admin(h http.HandlerFunc) http.HandlerFunc {
	if s.opts.AdminToken == "" {
		return h
	}
	return func(w http.ResponseWriter, r *http.Request) {
		if !bearerMatches(r, s.opts.AdminToken) {
			writeError(w, http.StatusUnauthorized, "admin token required")
			return
		}
		h(w, r)
	}
}

func bearerMatches(r *http.Request, token string) bool {
	got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	return ok && subtle.ConstantTimeCompare([]byte(got), []byte(token)) == 1
}

type errorBody struct {
	Error  string        `json:"error"`
	Orders []OrderErrors `json:"orders,omitempty"`
}

func writeError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, errorBody{Error: msg})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
