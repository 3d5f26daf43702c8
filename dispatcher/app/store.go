package app

import (
	"context"
	"fmt"

	"github.com/dropship-operator/dropship-operator/dispatcher/config"
	"github.com/dropship-operator/dropship-operator/dispatcher/store"
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
	}
	return nil, fmt.Errorf("cannot open journal: store type %q is not supported by this build", c.Type)
}
