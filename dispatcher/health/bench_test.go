package health

import (
	"errors"
	"testing"
	"time"
)

// BenchmarkRecord is one outcome recorded from many goroutines at once.
func BenchmarkRecord(b *testing.B) {
	c := newClock(t0)
	tr, err := New(testConfig(), Options{Clock: c.Now})
	if err != nil {
		b.Fatal(err)
	}
	names := []string{"a", "b", "c", "d"}
	fail := errors.New("HTTP 503")
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			i++
			if i%10 == 0 {
				tr.Record(names[i%4], Throttled, 0, fail)
				continue
			}
			tr.Record(names[i%4], Success, time.Duration(i%500)*time.Millisecond, nil)
		}
	})
}

// BenchmarkSnapshots is what the router and the reporter pay for the figures of four
// suppliers with full windows.
func BenchmarkSnapshots(b *testing.B) {
	c := newClock(t0)
	tr, err := New(testConfig(), Options{Clock: c.Now})
	if err != nil {
		b.Fatal(err)
	}
	for i := range 20_000 {
		c.Advance(15 * time.Millisecond)
		tr.Record([]string{"a", "b", "c", "d"}[i%4], Success, time.Duration(i%300)*time.Millisecond, nil)
	}
	b.ReportAllocs()
	for b.Loop() {
		if len(tr.Snapshots()) != 4 {
			b.Fatal("want 4 snapshots")
		}
	}
}
