package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// checkpointer copies the WAL back into the database file from its own connection, so that
// the writer's commits never pay for it (SQLite's automatic checkpoint runs inside the
// committing call and adds the database file's fsync to it). It runs PASSIVE checkpoints,
// which never block the writer or the readers.
type checkpointer struct {
	db   *sql.DB
	quit chan struct{}
	done chan struct{}
}

func startCheckpointer(ctx context.Context, path string, o options) (*checkpointer, error) {
	db, err := sql.Open(driverName, dsn(path, o, false))
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(1)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, err
	}
	c := &checkpointer{db: db, quit: make(chan struct{}), done: make(chan struct{})}
	go c.loop(o.checkpointEvery)
	return c, nil
}

func (c *checkpointer) loop(every time.Duration) {
	defer close(c.done)
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-c.quit:
			return
		case <-t.C:
			// A failed checkpoint is retried at the next tick; the WAL only grows meanwhile.
			c.db.Exec("PRAGMA wal_checkpoint(PASSIVE)") //nolint:errcheck // see above
		}
	}
}

func (c *checkpointer) close() error {
	close(c.quit)
	<-c.done
	if err := c.db.Close(); err != nil {
		return fmt.Errorf("cannot close the checkpoint connection: %w", err)
	}
	return nil
}
