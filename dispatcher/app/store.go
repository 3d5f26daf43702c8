package app

import (
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/dropship-operator/dropship-operator/dispatcher/config"
	"github.com/dropship-operator/dropship-operator/dispatcher/store"
	"github.com/dropship-operator/dropship-operator/dispatcher/store/postgres"
	"github.com/dropship-operator/dropship-operator/dispatcher/store/sqlite"
)

// openStore opens the configured journal.
func openStore(ctx context.Context, c config.Store) (store.Store, error) {
	switch c.Type {
	case config.StoreSQLite:
		st, err := sqlite.Open(ctx, c.Path)
		if err != nil {
			return nil, fmt.Errorf("cannot open SQLite journal %q: %w", c.Path, err)
		}
		return st, nil
	case config.StorePostgres:
		b, err := os.ReadFile(c.DSNFile)
		if err != nil {
			return nil, fmt.Errorf("cannot read PostgreSQL DSN file %q: %w", c.DSNFile, err)
		}
		// 16 connections: intake, routing, delivery outcomes and claims commit concurrently,
		// and PostgreSQL groups their WAL flushes (4 connections halved the throughput).
		st, err := postgres.Open(ctx, strings.TrimSpace(string(b)), postgres.WithMaxConns(16))
		if err != nil {
			// The DSN holds a password: never print it.
			return nil, fmt.Errorf("cannot open PostgreSQL journal from %q: %w", c.DSNFile, err)
		}
		return st, nil
	}
	return nil, fmt.Errorf("cannot open journal: unknown store type %q", c.Type)
}
