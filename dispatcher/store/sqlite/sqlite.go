package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"time"

	// The pure-Go SQLite driver, registered as "sqlite".
	_ "modernc.org/sqlite"

	"github.com/dropship-operator/dropship-operator/dispatcher/store"
)

// driverName is the database/sql driver the store opens. The driver comparison benchmark
// switches it.
var driverName = "sqlite"

// ErrClosed is returned by calls made after Close.
var ErrClosed = errors.New("store is closed")

// Synchronous is SQLite's synchronous setting (how often it fsyncs).
type Synchronous string

// The synchronous levels. Full is the default: with WAL, Normal may lose the last
// transactions on power loss (never corrupt), Off is for tests and benchmarks only.
const (
	SynchronousFull   Synchronous = "FULL"
	SynchronousNormal Synchronous = "NORMAL"
	SynchronousOff    Synchronous = "OFF"
)

type options struct {
	sync        Synchronous
	busyTimeout time.Duration
	readers     int
	maxBatch    int
	now         func() time.Time
	// checkpointEvery is how often the background checkpointer runs; 0 leaves checkpoints
	// to SQLite, inside the writer's commits.
	checkpointEvery time.Duration
}

// Option changes how Open opens the store.
type Option func(*options)

// WithSynchronous sets the synchronous level (SynchronousFull by default).
func WithSynchronous(s Synchronous) Option { return func(o *options) { o.sync = s } }

// WithBusyTimeout sets how long a connection waits for a lock held by another process
// before failing (5s by default).
func WithBusyTimeout(d time.Duration) Option { return func(o *options) { o.busyTimeout = d } }

// WithReaders sets the size of the read pool (4, or the number of CPUs if larger, by
// default).
func WithReaders(n int) Option { return func(o *options) { o.readers = n } }

// WithMaxBatch caps how many calls one group commit gathers (256 by default).
func WithMaxBatch(n int) Option { return func(o *options) { o.maxBatch = n } }

// WithCheckpointInterval sets how often a background connection copies the WAL into the
// database file (1s by default). 0 turns the background checkpoints off and lets SQLite
// checkpoint inside the writer's commits, every 1000 pages.
func WithCheckpointInterval(d time.Duration) Option {
	return func(o *options) { o.checkpointEvery = d }
}

// WithClock sets the clock that stamps CreatedAt, UpdatedAt and AcceptedAt (time.Now by
// default).
func WithClock(now func() time.Time) Option { return func(o *options) { o.now = now } }

// Store is the SQLite journal. It is safe for concurrent use; open one Store per file.
type Store struct {
	path string
	opts options
	rdb  *sql.DB // readers
	wdb  *sql.DB // the one writer connection
	w    *writer
	cp   *checkpointer // nil when SQLite checkpoints in the writer

	closeOnce sync.Once
	closeErr  error
}

var _ store.Store = (*Store)(nil)

// Open opens (creating it if needed) the journal at path, applies the embedded schema
// migrations and starts the writer.
func Open(ctx context.Context, path string, opts ...Option) (*Store, error) {
	o := options{sync: SynchronousFull, busyTimeout: 5 * time.Second, readers: max(4, runtime.NumCPU()), maxBatch: 256,
		now: time.Now, checkpointEvery: time.Second}
	for _, opt := range opts {
		opt(&o)
	}
	switch o.sync {
	case SynchronousFull, SynchronousNormal, SynchronousOff:
	default:
		return nil, fmt.Errorf("cannot open store %q: unknown synchronous level %q", path, o.sync)
	}
	s := &Store{path: path, opts: o}
	var err error
	s.wdb, err = sql.Open(driverName, dsn(path, o, false))
	if err != nil {
		return nil, fmt.Errorf("cannot open store %q: %w", path, err)
	}
	s.wdb.SetMaxOpenConns(1)
	s.wdb.SetMaxIdleConns(1)
	s.wdb.SetConnMaxLifetime(0)
	s.wdb.SetConnMaxIdleTime(0)
	conn, err := s.wdb.Conn(ctx)
	if err == nil {
		err = s.setup(ctx, conn)
	}
	if err != nil {
		s.wdb.Close()
		return nil, fmt.Errorf("cannot open store %q: %w", path, err)
	}
	s.rdb, err = sql.Open(driverName, dsn(path, o, true))
	if err != nil {
		conn.Close()
		s.wdb.Close()
		return nil, fmt.Errorf("cannot open store %q: %w", path, err)
	}
	s.rdb.SetMaxOpenConns(o.readers)
	s.rdb.SetMaxIdleConns(o.readers)
	s.w, err = newWriter(ctx, conn, o.maxBatch)
	if err != nil {
		conn.Close()
		s.rdb.Close()
		s.wdb.Close()
		return nil, fmt.Errorf("cannot open store %q: %w", path, err)
	}
	if o.checkpointEvery > 0 {
		if s.cp, err = startCheckpointer(ctx, path, o); err != nil {
			s.Close()
			return nil, fmt.Errorf("cannot open store %q: %w", path, err)
		}
	}
	return s, nil
}

// setup checks the pragmas took and applies the migrations.
func (s *Store) setup(ctx context.Context, conn *sql.Conn) error {
	var mode string
	if err := conn.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode); err != nil {
		return fmt.Errorf("cannot read journal mode: %w", err)
	}
	if !strings.EqualFold(mode, "wal") {
		return fmt.Errorf("cannot use journal mode %q: want wal", mode)
	}
	return migrate(ctx, conn, s.opts.now())
}

// dsn builds the connection string. Pragmas are per connection, so they go in the DSN,
// which both drivers read the same way.
func dsn(path string, o options, readOnly bool) string {
	var b strings.Builder
	b.WriteString("file:")
	b.WriteString(strings.NewReplacer("%", "%25", "?", "%3F", "#", "%23").Replace(path))
	fmt.Fprintf(&b, "?_pragma=busy_timeout(%d)", o.busyTimeout.Milliseconds())
	if readOnly {
		b.WriteString("&_pragma=query_only(1)")
	} else {
		b.WriteString("&_pragma=journal_mode(WAL)")
		fmt.Fprintf(&b, "&_pragma=synchronous(%s)", o.sync)
		if o.checkpointEvery > 0 {
			b.WriteString("&_pragma=wal_autocheckpoint(0)")
		}
	}
	b.WriteString("&_pragma=foreign_keys(1)")
	return b.String()
}

// Close stops the writer (calls still queued fail with ErrClosed) and closes the file.
func (s *Store) Close() error {
	s.closeOnce.Do(func() {
		var cerr error
		if s.cp != nil {
			cerr = s.cp.close()
		}
		werr := s.w.close()
		rerr := s.rdb.Close()
		derr := s.wdb.Close()
		if err := errors.Join(cerr, werr, rerr, derr); err != nil {
			s.closeErr = fmt.Errorf("cannot close store %q: %w", s.path, err)
		}
	})
	return s.closeErr
}
