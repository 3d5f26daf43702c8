package suppliertest

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dropship-operator/dropship-operator/dispatcher/supplier"
)

// BenchmarkServerSubmit is the simulator's ceiling on loopback: parallel keep-alive
// clients POST distinct orders (new key, new line) to one healthy supplier.
//
//	go test -run='^$' -bench=BenchmarkServerSubmit -benchtime=5s ./dispatcher/supplier/suppliertest/
func BenchmarkServerSubmit(b *testing.B) {
	s, err := NewServer(Options{Profile: Profile{ShipDelay: -1}})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	client := &http.Client{Transport: supplier.NewTransport(64), Timeout: 10 * time.Second}
	var n atomic.Uint64
	url := s.OrdersURL()
	b.SetParallelism(16)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		var buf bytes.Buffer
		for pb.Next() {
			i := n.Add(1)
			buf.Reset()
			fmt.Fprintf(&buf, `{"idempotencyKey":"k%d","order":{"source":"bench","billNo":"B%d"},"items":[{"entryID":"1","sku":"SKU-1","supplierSku":"S-1","quantity":1}]}`, i, i)
			req, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader(buf.Bytes()))
			req.Header.Set(supplier.HeaderIdempotencyKey, fmt.Sprint("k", i))
			resp, err := client.Do(req)
			if err != nil {
				b.Error(err)
				return
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				b.Errorf("status %d", resp.StatusCode)
				return
			}
		}
	})
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
	if st := s.Stats(); st.Accepted != uint64(b.N) || st.Duplicates != 0 {
		b.Errorf("accepted %d of %d, duplicates %d", st.Accepted, b.N, st.Duplicates)
	}
}

// BenchmarkLedgerAccept is the ledger alone: one accept of a new single-line order.
func BenchmarkLedgerAccept(b *testing.B) {
	l := newLedger("B")
	now := time.Now()
	keys := make([]string, b.N)
	lines := make([][]string, b.N)
	for i := range b.N {
		keys[i] = fmt.Sprint("dso-", i)
		lines[i] = []string{fmt.Sprint("bench/B", i, "/1")}
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		l.accept(keys[i], lines[i], "http://cb", now, -1)
	}
}
