package suppliertest

import (
	"bytes"
	"container/heap"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"sync"
	"time"

	"github.com/dropship-operator/dropship-operator/dispatcher/supplier"
)

// callbackJob is one shipment callback, self-contained so a ledger reset does not matter.
type callbackJob struct {
	due     time.Time
	url     string
	body    []byte
	attempt int
}

// jobHeap orders jobs by due time.
type jobHeap []*callbackJob

func (h jobHeap) Len() int           { return len(h) }
func (h jobHeap) Less(i, j int) bool { return h[i].due.Before(h[j].due) }
func (h jobHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *jobHeap) Push(x any)        { *h = append(*h, x.(*callbackJob)) }
func (h *jobHeap) Pop() any {
	old := *h
	j := old[len(old)-1]
	old[len(old)-1] = nil
	*h = old[:len(old)-1]
	return j
}

// shipper sends shipment callbacks when they fall due, with a few workers, retrying
// failures with backoff. Scheduled callbacks wait in one heap (a few hundred bytes each),
// not in timers or goroutines, so a large run's pending shipments stay cheap.
type shipper struct {
	s      *Server
	client *http.Client
	mu     sync.Mutex
	jobs   jobHeap
	wake   chan struct{}
	wg     sync.WaitGroup
}

func newShipper(s *Server) *shipper {
	sh := &shipper{
		s:      s,
		client: &http.Client{Timeout: 5 * time.Second, Transport: supplier.NewTransport(s.opts.CallbackWorkers)},
		wake:   make(chan struct{}, 1),
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

// schedule queues job to be sent after d.
func (sh *shipper) schedule(d time.Duration, job *callbackJob) {
	job.due = time.Now().Add(d)
	sh.mu.Lock()
	heap.Push(&sh.jobs, job)
	sh.mu.Unlock()
	select {
	case sh.wake <- struct{}{}:
	default:
	}
}

// pending counts callbacks waiting to be sent.
func (sh *shipper) pending() int {
	sh.mu.Lock()
	defer sh.mu.Unlock()
	return len(sh.jobs)
}

// next blocks until a job is due, or returns nil when the server stops.
func (sh *shipper) next() *callbackJob {
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		sh.mu.Lock()
		wait := time.Hour
		if len(sh.jobs) > 0 {
			if wait = time.Until(sh.jobs[0].due); wait <= 0 {
				job := heap.Pop(&sh.jobs).(*callbackJob)
				sh.mu.Unlock()
				return job
			}
		}
		sh.mu.Unlock()
		timer.Reset(wait)
		select {
		case <-sh.s.done:
			return nil
		case <-sh.wake:
		case <-timer.C:
		}
	}
}

func (sh *shipper) work() {
	defer sh.wg.Done()
	for {
		job := sh.next()
		if job == nil {
			return
		}
		sh.send(job)
		// Pass the wake-up on: another job may be due and its worker asleep.
		select {
		case sh.wake <- struct{}{}:
		default:
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
	if err != nil { // a callback URL that is not a URL never works
		sh.s.stats.callbacksFailed.Add(1)
		sh.s.stats.callbacksAbandoned.Add(1)
		return
	}
	req.Header.Set("Content-Type", "application/json")
	if sec := sh.s.opts.CallbackSecret; sec != "" {
		supplier.SignCallback(req.Header, []byte(sec), job.body, time.Now())
	}
	if resp, err := sh.client.Do(req); err == nil {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
		resp.Body.Close()
		if resp.StatusCode >= 200 && resp.StatusCode < 300 {
			sh.s.stats.callbacksSent.Add(1)
			return
		}
	}
	sh.s.stats.callbacksFailed.Add(1)
	job.attempt++
	if job.attempt >= sh.s.opts.CallbackAttempts {
		sh.s.stats.callbacksAbandoned.Add(1)
		return
	}
	backoff := sh.s.opts.CallbackBackoff << (job.attempt - 1)
	if backoff > 30*time.Second || backoff <= 0 {
		backoff = 30 * time.Second
	}
	sh.schedule(backoff, job)
}

// stop waits for the workers; callbacks not yet sent are dropped.
func (sh *shipper) stop() { sh.wg.Wait() }
