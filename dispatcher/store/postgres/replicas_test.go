package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/dropship-operator/dropship-operator/dispatcher/order"
	"github.com/dropship-operator/dropship-operator/dispatcher/store"
	"github.com/dropship-operator/dropship-operator/dispatcher/store/storetest"
)

// Replicas starting together on a fresh schema migrate it once, without failing.
func TestConcurrentOpenMigratesOnce(t *testing.T) {
	dsn := testDSN(t)
	schema := newSchema(t, dsn)
	const replicas = 4
	var wg sync.WaitGroup
	errs := make([]error, replicas)
	for i := range replicas {
		wg.Go(func() {
			s, err := Open(context.Background(), dsn, WithSchema(schema), WithMaxConns(2))
			if err == nil {
				s.Close()
			}
			errs[i] = err
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("replica %d: Open: %v", i, err)
		}
	}
	conn, err := pgx.Connect(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	var n, top int
	if err := conn.QueryRow(context.Background(),
		"SELECT COUNT(*), MAX(version) FROM "+pgx.Identifier{schema, "schema_migrations"}.Sanitize()).Scan(&n, &top); err != nil {
		t.Fatal(err)
	}
	if n != SchemaVersion() || top != SchemaVersion() {
		t.Errorf("schema_migrations holds %d rows up to %d, want each of 1…%d once", n, top, SchemaVersion())
	}
	// A schema migrated by a newer build is refused.
	if _, err := conn.Exec(context.Background(), "INSERT INTO "+pgx.Identifier{schema, "schema_migrations"}.Sanitize()+
		" (version, name, applied_at) VALUES ($1, 'future', 0)", SchemaVersion()+1); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(context.Background(), dsn, WithSchema(schema)); err == nil || !strings.Contains(err.Error(), "schema version") {
		t.Errorf("Open of a newer schema: %v, want a schema version error", err)
	}
}

// Two replicas (two stores, two pools) claiming the same schema never share a line, and
// together claim every line.
func TestReplicasShareWork(t *testing.T) {
	dsn := testDSN(t)
	schema := newSchema(t, dsn)
	a, b := open(t, dsn, schema), open(t, dsn, schema)
	ctx := context.Background()
	const orders, lines = 30, 4
	for i := range orders {
		if _, err := a.Intake(ctx, storetest.Order("k3", fmt.Sprintf("SO-%d", i), lines)); err != nil {
			t.Fatal(err)
		}
	}
	var mu sync.Mutex
	seen := map[string]string{}
	var wg sync.WaitGroup
	for r, s := range map[string]*Store{"a": a, "b": b} {
		for w := range 3 {
			owner := fmt.Sprintf("%s-%d", r, w)
			wg.Go(func() {
				for {
					got, err := s.Claim(ctx, store.ClaimRequest{Owner: owner, States: []order.State{order.StateReceived},
						Now: time.Now(), Limit: 5, Lease: time.Hour})
					if err != nil {
						t.Errorf("Claim: %v", err)
						return
					}
					if len(got) == 0 {
						return
					}
					mu.Lock()
					for _, l := range got {
						if prev, ok := seen[l.ID]; ok {
							t.Errorf("line %s claimed by %s and %s", l.ID, prev, owner)
						}
						seen[l.ID] = owner
					}
					mu.Unlock()
				}
			})
		}
	}
	wg.Wait()
	if len(seen) != orders*lines {
		t.Errorf("%d lines claimed, want %d", len(seen), orders*lines)
	}
}

// Stores in different schemas of one database do not see each other.
func TestSchemasAreIsolated(t *testing.T) {
	dsn := testDSN(t)
	a, b := open(t, dsn, newSchema(t, dsn)), open(t, dsn, newSchema(t, dsn))
	ctx := context.Background()
	if _, err := a.Intake(ctx, storetest.Order("k3", "SO-1", 2)); err != nil {
		t.Fatal(err)
	}
	if err := a.SetCursor(ctx, "watermark", "a"); err != nil {
		t.Fatal(err)
	}
	got, err := b.List(ctx, store.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := b.Cursor(ctx, "watermark"); len(got) != 0 || v != "" {
		t.Errorf("other schema sees %d lines and cursor %q, want none", len(got), v)
	}
	if res, err := b.Intake(ctx, storetest.Order("k3", "SO-1", 2)); err != nil || len(res.New) != 2 {
		t.Errorf("intake in the other schema: %+v %v, want two new lines", res, err)
	}
}

// A batch is one transaction: when the server refuses one statement (PostgreSQL text
// cannot hold NUL), nothing of the batch is written.
func TestBatchesAreAtomic(t *testing.T) {
	dsn := testDSN(t)
	s := open(t, dsn, newSchema(t, dsn))
	ctx := context.Background()
	if _, err := s.IntakeBatch(ctx, []*order.Order{storetest.Order("k3", "SO-1", 1), storetest.Order("k3", "SO-\x00", 1)}); err == nil ||
		!strings.Contains(err.Error(), "SQLSTATE") {
		t.Fatalf("IntakeBatch with a NUL in a bill number: %v, want the server's error", err)
	}
	if _, err := s.Get(ctx, order.LineID("k3", "SO-1", "1")); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("line of the failed intake batch: %v, want ErrNotFound", err)
	}
	res, err := s.Intake(ctx, storetest.Order("k3", "SO-2", 2))
	if err != nil {
		t.Fatal(err)
	}
	a, b := res.New[0], res.New[1]
	bad := "refused\x00"
	_, err = s.Apply(ctx, []store.Change{
		{ID: a, From: order.StateReceived, Version: 1, To: order.StateRouted},
		{ID: b, From: order.StateReceived, Version: 1, To: order.StateDeadLettered, Reason: &bad},
	})
	if err == nil || !strings.Contains(err.Error(), "SQLSTATE") {
		t.Fatalf("Apply with a NUL in a reason: %v, want the server's error", err)
	}
	if l, err := s.Get(ctx, a); err != nil || l.State != order.StateReceived || l.Version != 1 {
		t.Errorf("first change of the failed batch: %+v %v, want line untouched", l, err)
	}
}

// Purge leaves no order row without lines behind, and keeps the rows of lines still there.
func TestPurgeDeletesEmptyOrders(t *testing.T) {
	dsn := testDSN(t)
	s := open(t, dsn, newSchema(t, dsn))
	storetest.PurgeOrdersCheck(t, s, func() int {
		var n int
		if err := s.pool.QueryRow(context.Background(), "SELECT COUNT(*) FROM orders").Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	})
}
