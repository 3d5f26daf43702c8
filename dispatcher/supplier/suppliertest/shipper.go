package suppliertest

import (
	"bytes"
	"context"
	"crypto/subtle"
	"encoding/json"
	"io"
	"net/http"
	"sync"
	"time"

	"github.com/dropship-operator/dropship-operator/dispatcher/supplier"
)

// callbackJob is one shipment callback, self-contained so a ledger reset does not matter.
type callbackJob struct {
	url     string
	body    []byte
	attempt int
}

// shipper sends shipment callbacks with a few workers, retrying failures with backoff.
type shipper struct {
	s      *Server
	queue  chan *callbackJob
	client *http.Client
	wg     sync.WaitGroup
	mu     sync.Mutex
	timers map[*time.Timer]struct{}
}

func newShipper(s *Server) *shipper {
	sh := &shipper{
		s:      s,
		queue:  make(chan *callbackJob, 4096),
		client: &http.Client{Timeout: 5 * time.Second, Transport: supplier.NewTransport(s.opts.CallbackWorkers)},
		timers: map[*time.Timer]struct{}{},
	}
	for range s.opts.CallbackWorkers {
		sh.wg.Add(1)
		go sh.work()
	}
	return sh
}

// callbackFor builds the callback of an accepted order.
func (s *Server) callbackFor(seq uint32, id, key, url string, shipAt time.Time) *callbackJob {
	carrier, no := s.tracking(seq)
	body, _ := json.Marshal(supplier.Callback{SupplierOrderID: id, IdempotencyKey: key, TrackingNo: no, Carrier: carrier, ShippedAt: shipAt.UTC().Truncate(time.Millisecond)})
	return &callbackJob{url: url, body: body}
}

// schedule queues job after d.
func (sh *shipper) schedule(d time.Duration, job *callbackJob) {
	if d <= 0 {
		sh.enqueue(job)
		return
	}
	sh.mu.Lock()
	defer sh.mu.Unlock()
	if sh.timers == nil { // stopped
		return
	}
	var t *time.Timer
	t = time.AfterFunc(d, func() {
		sh.mu.Lock()
		delete(sh.timers, t)
		sh.mu.Unlock()
		sh.enqueue(job)
	})
	sh.timers[t] = struct{}{}
}

func (sh *shipper) enqueue(job *callbackJob) {
	select {
	case sh.queue <- job:
	case <-sh.s.done:
	}
}

func (sh *shipper) work() {
	defer sh.wg.Done()
	for {
		select {
		case <-sh.s.done:
			return
		case job := <-sh.queue:
			sh.send(job)
		}
	}
}

func (sh *shipper) send(job *callbackJob) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	go func() {
		select {
		case <-sh.s.done:
			cancel()
		case <-ctx.Done():
		}
	}()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, job.url, bytes.NewReader(job.body))
	if err == nil {
		req.Header.Set("Content-Type", "application/json")
		if sec := sh.s.opts.CallbackSecret; sec != "" {
			supplier.SignCallback(req.Header, []byte(sec), job.body, time.Now())
		}
		var resp *http.Response
		if resp, err = sh.client.Do(req); err == nil {
			_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
			resp.Body.Close()
			if resp.StatusCode >= 200 && resp.StatusCode < 300 {
				sh.s.stats.callbacksSent.Add(1)
				return
			}
		}
	}
	sh.s.stats.callbacksFailed.Add(1)
	job.attempt++
	if job.attempt >= sh.s.opts.CallbackAttempts || err != nil && req == nil {
		sh.s.stats.callbacksAbandoned.Add(1)
		return
	}
	backoff := sh.s.opts.CallbackBackoff << (job.attempt - 1)
	if backoff > 30*time.Second || backoff <= 0 {
		backoff = 30 * time.Second
	}
	sh.schedule(backoff, job)
}

// stop cancels scheduled callbacks and waits for the workers.
func (sh *shipper) stop() {
	sh.mu.Lock()
	for t := range sh.timers {
		t.Stop()
	}
	sh.timers = nil
	sh.mu.Unlock()
	sh.wg.Wait()
}

func constEq(a, b string) bool { return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1 }
