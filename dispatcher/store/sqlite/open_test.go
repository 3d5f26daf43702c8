package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dropship-operator/dropship-operator/dispatcher/order"
	"github.com/dropship-operator/dropship-operator/dispatcher/store"
	"github.com/dropship-operator/dropship-operator/dispatcher/store/storetest"
)

func open(t *testing.T, path string, opts ...Option) *Store {
	t.Helper()
	s, err := Open(context.Background(), path, opts...)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestOpenSetsPragmas(t *testing.T) {
	cases := map[string]struct {
		opts []Option
		want int // PRAGMA synchronous: 0 OFF, 1 NORMAL, 2 FULL
	}{
		"default is FULL": {nil, 2},
		"NORMAL":          {[]Option{WithSynchronous(SynchronousNormal)}, 1},
		"OFF":             {[]Option{WithSynchronous(SynchronousOff)}, 0},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			s := open(t, filepath.Join(t.TempDir(), "j.db"), tc.opts...)
			var mode string
			var sync, busy int
			err := s.w.do(context.Background(), func(tx *tx) error {
				if err := tx.conn.QueryRowContext(tx.ctx, "PRAGMA journal_mode").Scan(&mode); err != nil {
					return err
				}
				if err := tx.conn.QueryRowContext(tx.ctx, "PRAGMA busy_timeout").Scan(&busy); err != nil {
					return err
				}
				return tx.conn.QueryRowContext(tx.ctx, "PRAGMA synchronous").Scan(&sync)
			})
			if err != nil {
				t.Fatal(err)
			}
			if mode != "wal" || sync != tc.want || busy != 5000 {
				t.Errorf("journal_mode %q synchronous %d busy_timeout %d, want wal %d 5000", mode, sync, busy, tc.want)
			}
			// Readers cannot write.
			if _, err := s.rdb.ExecContext(context.Background(), "INSERT INTO cursors (name, value) VALUES ('x', 'y')"); err == nil {
				t.Error("a reader connection wrote")
			}
		})
	}
	if _, err := Open(context.Background(), filepath.Join(t.TempDir(), "j.db"), WithSynchronous("SOMETIMES")); err == nil {
		t.Error("Open with an unknown synchronous level succeeded")
	}
}

func TestMigrations(t *testing.T) {
	path := filepath.Join(t.TempDir(), "j.db")
	versions := func() []int {
		t.Helper()
		db, err := sql.Open(driverName, "file:"+path+"?mode=ro")
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		rows, err := db.Query("SELECT version FROM schema_migrations ORDER BY version")
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var out []int
		for rows.Next() {
			var v int
			if err := rows.Scan(&v); err != nil {
				t.Fatal(err)
			}
			out = append(out, v)
		}
		return out
	}
	for range 2 { // the second open applies nothing
		s, err := Open(context.Background(), path)
		if err != nil {
			t.Fatal(err)
		}
		s.Close()
		got := versions()
		if len(got) != SchemaVersion() || SchemaVersion() < 1 || got[len(got)-1] != SchemaVersion() {
			t.Fatalf("applied versions %v, want 1…%d once each", got, SchemaVersion())
		}
	}
	// A file migrated by a newer build is refused rather than misread.
	db, err := sql.Open(driverName, "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, 'future', 0)", SchemaVersion()+1); err != nil {
		t.Fatal(err)
	}
	db.Close()
	if _, err := Open(context.Background(), path); err == nil || !strings.Contains(err.Error(), "schema version") {
		t.Errorf("Open of a newer schema: %v, want a schema version error", err)
	}
}

func TestConcurrentCallsShareCommits(t *testing.T) {
	s := open(t, filepath.Join(t.TempDir(), "j.db"))
	const n = 64
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			if _, err := s.Intake(context.Background(), storetest.Order("k3", fmt.Sprintf("SO-%d", i), 2)); err != nil {
				t.Errorf("Intake: %v", err)
			}
		})
	}
	wg.Wait()
	counts, err := s.Counts(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if counts[order.StateReceived] != 2*n {
		t.Errorf("%d lines received, want %d", counts[order.StateReceived], 2*n)
	}
	if c := s.w.commits.Load(); c >= n {
		t.Errorf("%d concurrent intakes took %d commits, want fewer (group commit)", n, c)
	}
}

func TestClosedStoreRefusesCalls(t *testing.T) {
	s := open(t, filepath.Join(t.TempDir(), "j.db"))
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if _, err := s.Intake(context.Background(), storetest.Order("k3", "SO-1", 1)); !errors.Is(err, ErrClosed) {
		t.Errorf("Intake after Close: %v, want ErrClosed", err)
	}
	if _, err := s.Apply(context.Background(), []store.Change{{ID: "a", From: order.StateReceived, To: order.StateRouted, Version: 1}}); !errors.Is(err, ErrClosed) {
		t.Errorf("Apply after Close: %v, want ErrClosed", err)
	}
}

func TestCancelledCallWritesNothing(t *testing.T) {
	s := open(t, filepath.Join(t.TempDir(), "j.db"))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := s.Intake(ctx, storetest.Order("k3", "SO-1", 1)); !errors.Is(err, context.Canceled) {
		t.Errorf("Intake with a cancelled context: %v, want context.Canceled", err)
	}
	if _, err := s.Get(context.Background(), order.LineID("k3", "SO-1", "1")); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("line of the cancelled intake: %v, want ErrNotFound", err)
	}
}

// A request that fails inside a group commit is undone alone; the others commit.
func TestFailedRequestDoesNotSpoilItsBatch(t *testing.T) {
	s := open(t, filepath.Join(t.TempDir(), "j.db"))
	ctx := context.Background()
	// Hold the writer in a first request until the others are queued, so they share the
	// next transaction.
	hold, held := make(chan struct{}), make(chan struct{})
	first := make(chan error, 1)
	go func() {
		first <- s.w.do(ctx, func(*tx) error { close(held); <-hold; return nil })
	}()
	<-held
	const n = 6
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			errs[i] = s.w.do(ctx, func(t *tx) error {
				if _, err := t.st.setCursor.ExecContext(t.ctx, fmt.Sprint("c", i), "v"); err != nil {
					return err
				}
				if i == 3 {
					return errors.New("request 3 fails after writing")
				}
				return nil
			})
		})
	}
	for len(s.w.reqs) < n {
		time.Sleep(time.Millisecond)
	}
	close(hold)
	wg.Wait()
	if err := <-first; err != nil {
		t.Fatal(err)
	}
	for i, err := range errs {
		v, cerr := s.Cursor(ctx, fmt.Sprint("c", i))
		if cerr != nil {
			t.Fatal(cerr)
		}
		switch {
		case i == 3 && (err == nil || v != ""):
			t.Errorf("failing request: error %v, cursor %q; want its error and nothing written", err, v)
		case i != 3 && (err != nil || v != "v"):
			t.Errorf("request %d: error %v, cursor %q; want it committed", i, err, v)
		}
	}
	if c := s.w.commits.Load(); c != 2 {
		t.Errorf("%d commits, want 2 (the held request, then one for the batch)", c)
	}
}

func TestBackgroundCheckpoint(t *testing.T) {
	cases := map[string]struct {
		every time.Duration
		moves bool // the database file grows without the writer checkpointing
	}{
		"background checkpoints move the WAL into the file": {10 * time.Millisecond, true},
		"off: a small WAL stays a WAL":                      {0, false},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "j.db")
			s := open(t, path, WithCheckpointInterval(tc.every))
			size := func() int64 {
				fi, err := os.Stat(path)
				if err != nil {
					t.Fatal(err)
				}
				return fi.Size()
			}
			before := size()
			for i := range 20 {
				if _, err := s.Intake(context.Background(), storetest.Order("k3", fmt.Sprint("SO-", i), 3)); err != nil {
					t.Fatal(err)
				}
			}
			deadline := time.Now().Add(3 * time.Second)
			for size() == before && time.Now().Before(deadline) && tc.moves {
				time.Sleep(10 * time.Millisecond)
			}
			if tc.moves != (size() > before) {
				t.Errorf("database file %d bytes before the writes, %d after; want growth %v", before, size(), tc.moves)
			}
		})
	}
}

// Purge leaves no order row without lines behind, and keeps the rows of lines still there.
func TestPurgeDeletesEmptyOrders(t *testing.T) {
	s := open(t, filepath.Join(t.TempDir(), "j.db"))
	storetest.PurgeOrdersCheck(t, s, func() int {
		var n int
		if err := s.rdb.QueryRow("SELECT COUNT(*) FROM orders").Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	})
}

// Two stores on one file (as two processes would be) serialize on SQLite's locks: their
// concurrent claims never hand out a line twice.
func TestTwoStoresOnOneFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "j.db")
	a, b := open(t, path), open(t, path)
	ctx := context.Background()
	const n = 60
	for i := range n {
		if _, err := a.Intake(ctx, storetest.Order("k3", fmt.Sprint("SO-", i), 1)); err != nil {
			t.Fatal(err)
		}
	}
	var mu sync.Mutex
	seen := map[string]string{}
	var wg sync.WaitGroup
	for name, s := range map[string]*Store{"a": a, "b": b} {
		for w := range 3 {
			owner := fmt.Sprint(name, w)
			wg.Go(func() {
				for {
					lines, err := s.Claim(ctx, store.ClaimRequest{Owner: owner, States: []order.State{order.StateReceived}, Limit: 4, Lease: time.Hour})
					if err != nil {
						t.Errorf("Claim: %v", err)
						return
					}
					if len(lines) == 0 {
						return
					}
					mu.Lock()
					for _, l := range lines {
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
	if len(seen) != n {
		t.Errorf("%d lines claimed, want %d", len(seen), n)
	}
}
