package postgres

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/dropship-operator/dropship-operator/dispatcher/store"
	"github.com/dropship-operator/dropship-operator/dispatcher/store/storetest"
)

// dsnEnv names the variable holding the test server's DSN; `make test` sets it.
const dsnEnv = "DROPSHIP_TEST_POSTGRES_DSN"

// testDSN returns the test server's DSN. Without one, the test is skipped, except in CI
// (CI set), where a missing server is a failure.
func testDSN(tb testing.TB) string {
	tb.Helper()
	dsn := os.Getenv(dsnEnv)
	if dsn == "" {
		if os.Getenv("CI") != "" {
			tb.Fatalf("%s is not set, and CI is: the PostgreSQL store tests must run in CI", dsnEnv)
		}
		tb.Skipf("%s is not set: skipping the PostgreSQL store tests (make test sets it)", dsnEnv)
	}
	return dsn
}

// newSchema returns the name of a fresh schema that is dropped when the test ends.
func newSchema(tb testing.TB, dsn string) string {
	tb.Helper()
	b := make([]byte, 6)
	rand.Read(b)
	name := "dropship_test_" + hex.EncodeToString(b)
	tb.Cleanup(func() {
		ctx := context.Background()
		conn, err := pgx.Connect(ctx, dsn)
		if err != nil {
			tb.Errorf("cannot connect to drop schema %q: %v", name, err)
			return
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, "DROP SCHEMA IF EXISTS "+pgx.Identifier{name}.Sanitize()+" CASCADE"); err != nil {
			tb.Errorf("cannot drop schema %q: %v", name, err)
		}
	})
	return name
}

func open(tb testing.TB, dsn, schema string) *Store {
	tb.Helper()
	s, err := Open(context.Background(), dsn, WithSchema(schema))
	if err != nil {
		tb.Fatalf("Open: %v", err)
	}
	tb.Cleanup(func() { s.Close() })
	return s
}

// opener opens a store in a schema of its own per test, and the same schema again when
// called again by the same test.
func opener() storetest.Opener {
	var mu sync.Mutex
	schemas := map[*testing.T]string{}
	return func(t *testing.T) store.Store {
		t.Helper()
		dsn := testDSN(t)
		mu.Lock()
		schema, ok := schemas[t]
		if !ok {
			schema = newSchema(t, dsn)
			schemas[t] = schema
		}
		mu.Unlock()
		return open(t, dsn, schema)
	}
}

func TestConformance(t *testing.T) {
	storetest.Run(t, opener())
}

// BenchmarkStore measures the pipeline and Claim paths against the real server.
//
//	DROPSHIP_TEST_POSTGRES_DSN=postgres://postgres@127.0.0.1:5432/test?sslmode=disable \
//	  go test -run '^$' -bench . -benchtime 20000x ./dispatcher/store/postgres/
func BenchmarkStore(b *testing.B) {
	storetest.Benchmark(b, func(b *testing.B) store.Store {
		dsn := testDSN(b)
		s, err := Open(context.Background(), dsn, WithSchema(newSchema(b, dsn)), WithMaxConns(32))
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { s.Close() })
		return s
	})
}
