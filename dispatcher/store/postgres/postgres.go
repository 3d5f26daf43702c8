package postgres

import (
	"context"
	"embed"
	"fmt"
	"runtime"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/dropship-operator/dropship-operator/dispatcher/store"
	"github.com/dropship-operator/dropship-operator/dispatcher/store/internal/journal"
)

type options struct {
	schema   string
	maxConns int32
	now      func() time.Time
}

// Option changes how Open opens the store.
type Option func(*options)

// WithSchema keeps the journal in the named schema (created if missing) instead of the
// DSN's default search_path.
func WithSchema(name string) Option { return func(o *options) { o.schema = name } }

// WithMaxConns sets the size of the connection pool (4, or the number of CPUs if larger,
// by default).
func WithMaxConns(n int) Option { return func(o *options) { o.maxConns = int32(n) } }

// WithClock sets the clock that stamps CreatedAt, UpdatedAt and AcceptedAt (time.Now by
// default).
func WithClock(now func() time.Time) Option { return func(o *options) { o.now = now } }

// Store is the PostgreSQL journal. It is safe for concurrent use, by any number of
// goroutines and replicas.
type Store struct {
	pool *pgxpool.Pool
	opts options
}

var _ store.Store = (*Store)(nil)

//go:embed migrations/*.sql
var migrationFS embed.FS

// SchemaVersion is the schema version this build writes: the highest embedded migration.
func SchemaVersion() int {
	ms, err := journal.Migrations(migrationFS, "migrations")
	if err != nil || len(ms) == 0 {
		return 0
	}
	return ms[len(ms)-1].Version
}

// Open connects to the database at dsn (a postgres:// URL or key=value string), applies
// the embedded schema migrations and returns the store.
func Open(ctx context.Context, dsn string, opts ...Option) (*Store, error) {
	o := options{maxConns: int32(max(4, runtime.NumCPU())), now: time.Now}
	for _, opt := range opts {
		opt(&o)
	}
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		// The DSN may hold a password: do not quote it.
		return nil, fmt.Errorf("cannot parse the PostgreSQL DSN: %w", err)
	}
	cfg.MaxConns = o.maxConns
	if o.schema != "" {
		cfg.ConnConfig.RuntimeParams["search_path"] = o.schema
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("cannot connect to PostgreSQL %q: %w", cfg.ConnConfig.Host, err)
	}
	s := &Store{pool: pool, opts: o}
	if err := s.migrate(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("cannot open store in schema %q: %w", o.schema, err)
	}
	return s, nil
}

// migrate applies every embedded migration newer than the schema's version, in one
// transaction that holds an advisory lock on the schema.
func (s *Store) migrate(ctx context.Context) error {
	ms, err := journal.Migrations(migrationFS, "migrations")
	if err != nil {
		return err
	}
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock(hashtext($1))", "dropship-operator/store/"+s.opts.schema); err != nil {
			return fmt.Errorf("cannot take the migration lock: %w", err)
		}
		if s.opts.schema != "" {
			if _, err := tx.Exec(ctx, "CREATE SCHEMA IF NOT EXISTS "+pgx.Identifier{s.opts.schema}.Sanitize()); err != nil {
				return fmt.Errorf("cannot create schema: %w", err)
			}
		}
		if _, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
			version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)`); err != nil {
			return fmt.Errorf("cannot create schema_migrations: %w", err)
		}
		var current int
		if err := tx.QueryRow(ctx, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations").Scan(&current); err != nil {
			return fmt.Errorf("cannot read schema version: %w", err)
		}
		if current > len(ms) {
			return fmt.Errorf("cannot use schema version %d: this build knows up to %d", current, len(ms))
		}
		for _, m := range ms[current:] {
			if _, err := tx.Exec(ctx, m.SQL); err != nil {
				return fmt.Errorf("cannot apply migration %q: %w", m.Name, err)
			}
			if _, err := tx.Exec(ctx, "INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)",
				m.Version, m.Name, journal.Nanos(s.opts.now())); err != nil {
				return fmt.Errorf("cannot record migration %q: %w", m.Name, err)
			}
		}
		return nil
	})
}

// Close closes the pool. It is safe to call more than once.
func (s *Store) Close() error {
	s.pool.Close()
	return nil
}
