package supplier_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/dropship-operator/dropship-operator/dispatcher/config"
	"github.com/dropship-operator/dropship-operator/dispatcher/supplier"
	"github.com/dropship-operator/dropship-operator/dispatcher/supplier/suppliertest"
)

// BenchmarkHTTPAdapterSubmit is the adapter end to end against the simulator on loopback:
// render the default payload, HMAC-sign, POST, evaluate acceptedWhen, extract the id.
//
//	go test -run='^$' -bench=BenchmarkHTTPAdapterSubmit -benchtime=5s ./dispatcher/supplier/
func BenchmarkHTTPAdapterSubmit(b *testing.B) {
	srv, err := suppliertest.NewServer(suppliertest.Options{Auth: suppliertest.Auth{Type: config.HTTPAuthHMAC, HMACSecret: "k"}, Profile: suppliertest.Profile{ShipDelay: -1}})
	if err != nil {
		b.Fatal(err)
	}
	defer srv.Close()
	dir := b.TempDir()
	writeSecret(b, dir, "hmacSecret", "k")
	a, err := supplier.NewHTTP(config.Supplier{Name: "bench", Capacity: config.Capacity{MaxConcurrent: 32}, HTTP: &config.HTTPEndpoint{
		URL: srv.OrdersURL(), Auth: config.HTTPAuth{Type: config.HTTPAuthHMAC, SecretDir: dir},
		Response: config.HTTPResponse{OrderIDPath: "data.orderId", AcceptedWhen: "code == 0"},
	}}, supplier.HTTPOptions{})
	if err != nil {
		b.Fatal(err)
	}
	var n atomic.Uint64
	b.SetParallelism(16)
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := n.Add(1)
			o := suppliertest.ConformanceOrder(fmt.Sprint("B", i))
			if _, err := a.Submit(context.Background(), supplier.Request{Order: o, Lines: []int{0}, IdempotencyKey: fmt.Sprint("k", i)}); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
}
