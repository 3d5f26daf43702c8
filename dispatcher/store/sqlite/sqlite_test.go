package sqlite

import (
	"context"
	"path/filepath"
	"sync"
	"testing"

	"github.com/dropship-operator/dropship-operator/dispatcher/store"
	"github.com/dropship-operator/dropship-operator/dispatcher/store/storetest"
)

// opener opens a store in a directory of its own per test, and reopens the same file when
// called again by the same test.
func opener(opts ...Option) storetest.Opener {
	var mu sync.Mutex
	paths := map[*testing.T]string{}
	return func(t *testing.T) store.Store {
		t.Helper()
		mu.Lock()
		path, ok := paths[t]
		if !ok {
			path = filepath.Join(t.TempDir(), "journal.db")
			paths[t] = path
		}
		mu.Unlock()
		s, err := Open(context.Background(), path, opts...)
		if err != nil {
			t.Fatalf("Open(%q): %v", path, err)
		}
		t.Cleanup(func() {
			if err := s.Close(); err != nil {
				t.Errorf("Close: %v", err)
			}
		})
		return s
	}
}

func TestConformance(t *testing.T) {
	storetest.Run(t, opener())
}

// BenchmarkStore measures the pipeline and Claim paths with fsync on (synchronous=FULL).
//
//	go test -run '^$' -bench . -benchtime 20000x ./dispatcher/store/sqlite/
func BenchmarkStore(b *testing.B) {
	storetest.Benchmark(b, func(b *testing.B) store.Store {
		s, err := Open(context.Background(), filepath.Join(b.TempDir(), "journal.db"))
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { s.Close() })
		return s
	})
}
