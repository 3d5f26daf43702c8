package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
)

// statements the writer prepares once on its connection.
type statements struct {
	lineState   *sql.Stmt
	insertOrder *sql.Stmt
	deleteOrder *sql.Stmt
	insertLine  *sql.Stmt
	setCursor   *sql.Stmt

	begin, commit, rollback              *sql.Stmt
	savepoint, release, rollbackToSavept *sql.Stmt
}

func (st *statements) all() []*sql.Stmt {
	return []*sql.Stmt{st.lineState, st.insertOrder, st.deleteOrder, st.insertLine, st.setCursor,
		st.begin, st.commit, st.rollback, st.savepoint, st.release, st.rollbackToSavept}
}

// tx is what a write runs against: the writer connection inside an open transaction. Its
// ctx never ends: a caller's cancellation is honoured before its request starts, never
// in the middle, because interrupting the shared connection could hit the statements of
// other requests in the same transaction (the driver interrupts the connection, not the
// statement).
type tx struct {
	ctx  context.Context
	conn *sql.Conn
	st   *statements
	w    *writer
}

// request is one caller's write, run in its own savepoint of a shared transaction.
type request struct {
	ctx  context.Context
	fn   func(*tx) error
	done chan error
}

// writer owns the only writing connection and commits gathered requests together.
type writer struct {
	conn     *sql.Conn
	st       statements
	changes  map[uint32]*sql.Stmt // by change shape (see changeStmt)
	maxBatch int
	reqs     chan *request
	quit     chan struct{}
	done     chan struct{}
	stop     sync.Once
	// commits counts transactions, so tests can see calls share them.
	commits atomic.Int64
}

func newWriter(ctx context.Context, conn *sql.Conn, maxBatch int) (*writer, error) {
	w := &writer{conn: conn, changes: map[uint32]*sql.Stmt{}, maxBatch: max(1, maxBatch), reqs: make(chan *request, 1024), quit: make(chan struct{}), done: make(chan struct{})}
	for _, p := range []struct {
		dst   **sql.Stmt
		query string
	}{
		{&w.st.lineState, "SELECT state, version FROM lines WHERE id = ?"},
		{&w.st.insertOrder, "INSERT INTO orders (source, bill_no, body, created_at) VALUES (?, ?, ?, ?)"},
		{&w.st.deleteOrder, "DELETE FROM orders WHERE id = ?"},
		{&w.st.insertLine, `INSERT INTO lines (id, order_id, idx, source, bill_no, entry_id, state, version, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, 1, ?, ?) ON CONFLICT (id) DO NOTHING`},
		{&w.st.begin, "BEGIN IMMEDIATE"},
		{&w.st.commit, "COMMIT"},
		{&w.st.rollback, "ROLLBACK"},
		{&w.st.savepoint, "SAVEPOINT req"},
		{&w.st.release, "RELEASE req"},
		{&w.st.rollbackToSavept, "ROLLBACK TO req"},
		{&w.st.setCursor, "INSERT INTO cursors (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value"},
	} {
		st, err := conn.PrepareContext(ctx, p.query)
		if err != nil {
			return nil, fmt.Errorf("cannot prepare statement: %w", err)
		}
		*p.dst = st
	}
	go w.loop()
	return w, nil
}

// do runs fn in the next group commit and waits for the commit. When ctx ends first, the
// write may still be committed; when ctx has ended before the writer reaches it, it is not.
func (w *writer) do(ctx context.Context, fn func(*tx) error) error {
	r := &request{ctx: ctx, fn: fn, done: make(chan error, 1)}
	select {
	case w.reqs <- r:
	case <-w.quit:
		return ErrClosed
	case <-ctx.Done():
		return ctx.Err()
	}
	select {
	case err := <-r.done:
		return err
	case <-w.done:
		select {
		case err := <-r.done:
			return err
		default:
			return ErrClosed
		}
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (w *writer) loop() {
	defer close(w.done)
	batch := make([]*request, 0, w.maxBatch)
	for {
		select {
		case r := <-w.reqs:
			batch = append(batch[:0], r)
		case <-w.quit:
			w.fail(ErrClosed)
			return
		}
	gather:
		for len(batch) < w.maxBatch {
			select {
			case r := <-w.reqs:
				batch = append(batch, r)
			default:
				break gather
			}
		}
		w.commit(batch)
	}
}

// fail answers every queued request with err.
func (w *writer) fail(err error) {
	for {
		select {
		case r := <-w.reqs:
			r.done <- err
		default:
			return
		}
	}
}

// commit runs the batch in one transaction, each request in a savepoint (a batch of one
// needs none: its failure rolls the transaction back).
func (w *writer) commit(batch []*request) {
	ctx := context.Background()
	errs := make([]error, len(batch))
	if _, err := w.st.begin.ExecContext(ctx); err != nil {
		for _, r := range batch {
			r.done <- fmt.Errorf("cannot begin transaction: %w", err)
		}
		return
	}
	ok := 0
	for i, r := range batch {
		if err := r.ctx.Err(); err != nil {
			errs[i] = err
			continue
		}
		if len(batch) == 1 {
			errs[i] = r.fn(&tx{ctx: ctx, conn: w.conn, st: &w.st, w: w})
		} else {
			errs[i] = w.run(r)
		}
		if errs[i] == nil {
			ok++
		}
	}
	if ok == 0 {
		w.st.rollback.ExecContext(ctx) //nolint:errcheck // nothing to keep; the requests' errors are the ones to report
	} else {
		w.commits.Add(1)
		if _, err := w.st.commit.ExecContext(ctx); err != nil {
			w.st.rollback.ExecContext(ctx) //nolint:errcheck // the commit error is the one to report
			err = fmt.Errorf("cannot commit transaction: %w", err)
			for i := range errs {
				errs[i] = err
			}
		}
	}
	for i, r := range batch {
		r.done <- errs[i]
	}
}

// run runs one request in a savepoint, undoing its writes when it fails.
func (w *writer) run(r *request) error {
	ctx := context.Background()
	if _, err := w.st.savepoint.ExecContext(ctx); err != nil {
		return fmt.Errorf("cannot begin savepoint: %w", err)
	}
	err := r.fn(&tx{ctx: ctx, conn: w.conn, st: &w.st, w: w})
	if err != nil {
		_, rerr := w.st.rollbackToSavept.ExecContext(ctx)
		err = errors.Join(err, rerr)
	}
	if _, rerr := w.st.release.ExecContext(ctx); rerr != nil {
		err = errors.Join(err, fmt.Errorf("cannot release savepoint: %w", rerr))
	}
	return err
}

// close stops the loop after the batch in progress and closes the connection.
func (w *writer) close() error {
	w.stop.Do(func() { close(w.quit) })
	<-w.done
	var errs []error
	for _, st := range w.st.all() {
		errs = append(errs, st.Close())
	}
	for _, st := range w.changes {
		errs = append(errs, st.Close())
	}
	errs = append(errs, w.conn.Close())
	return errors.Join(errs...)
}
