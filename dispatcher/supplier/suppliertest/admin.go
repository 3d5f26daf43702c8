package suppliertest

import (
	"encoding/json"
	"io"
	"net/http"
)

// The admin API, on the same port as the supplier API:
//
//	GET  /_sim/stats              Stats
//	GET  /_sim/profile            the current Profile
//	PUT  /_sim/profile            replace the Profile (JSON, durations as "20ms")
//	POST /_sim/profile/{preset}   healthy | slow | failing | throttled | flaky
//	POST /_sim/reset              empty the ledger and the counters
//	GET  /_sim/ledger?idempotencyKey=K   the ledger entry of a key
func (s *Server) adminRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET "+AdminPath+"stats", func(w http.ResponseWriter, r *http.Request) {
		reply(w, http.StatusOK, s.Stats())
	})
	mux.HandleFunc("GET "+AdminPath+"profile", func(w http.ResponseWriter, r *http.Request) {
		reply(w, http.StatusOK, s.Profile())
	})
	mux.HandleFunc("PUT "+AdminPath+"profile", func(w http.ResponseWriter, r *http.Request) {
		var p Profile
		b, err := io.ReadAll(io.LimitReader(r.Body, 64<<10))
		if err == nil {
			err = json.Unmarshal(b, &p)
		}
		if err == nil {
			err = s.SetProfile(p)
		}
		if err != nil {
			reply(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
			return
		}
		reply(w, http.StatusOK, s.Profile())
	})
	mux.HandleFunc("POST "+AdminPath+"profile/{preset}", func(w http.ResponseWriter, r *http.Request) {
		if err := s.SetPreset(r.PathValue("preset")); err != nil {
			reply(w, http.StatusNotFound, map[string]string{"error": err.Error()})
			return
		}
		reply(w, http.StatusOK, s.Profile())
	})
	mux.HandleFunc("POST "+AdminPath+"reset", func(w http.ResponseWriter, r *http.Request) {
		s.Reset()
		reply(w, http.StatusOK, s.Stats())
	})
	mux.HandleFunc("GET "+AdminPath+"ledger", func(w http.ResponseWriter, r *http.Request) {
		e, ok := s.Lookup(r.URL.Query().Get("idempotencyKey"))
		if !ok {
			reply(w, http.StatusNotFound, map[string]string{"error": "no such key"})
			return
		}
		reply(w, http.StatusOK, e)
	})
}
