package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"time"

	"github.com/dropship-operator/dropship-operator/dispatcher/store/internal/journal"
)

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

// migrate applies, in one immediate transaction, every embedded migration newer than the
// file's version. A file written by a newer build (a higher version) is refused.
func migrate(ctx context.Context, conn *sql.Conn, now time.Time) (err error) {
	ms, err := journal.Migrations(migrationFS, "migrations")
	if err != nil {
		return err
	}
	if _, err := conn.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
		return fmt.Errorf("cannot begin migration: %w", err)
	}
	defer func() {
		if err != nil {
			conn.ExecContext(context.WithoutCancel(ctx), "ROLLBACK") //nolint:errcheck // the migration error is the one to report
		}
	}()
	if _, err := conn.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)`); err != nil {
		return fmt.Errorf("cannot create schema_migrations: %w", err)
	}
	var current int
	if err := conn.QueryRowContext(ctx, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations").Scan(&current); err != nil {
		return fmt.Errorf("cannot read schema version: %w", err)
	}
	if current > len(ms) {
		return fmt.Errorf("cannot use schema version %d: this build knows up to %d", current, len(ms))
	}
	for _, m := range ms[current:] {
		if _, err := conn.ExecContext(ctx, m.SQL); err != nil {
			return fmt.Errorf("cannot apply migration %q: %w", m.Name, err)
		}
		if _, err := conn.ExecContext(ctx, "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
			m.Version, m.Name, journal.Nanos(now)); err != nil {
			return fmt.Errorf("cannot record migration %q: %w", m.Name, err)
		}
	}
	if _, err := conn.ExecContext(ctx, "COMMIT"); err != nil {
		return fmt.Errorf("cannot commit migration: %w", err)
	}
	return nil
}
