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
	change      *sql.Stmt
	setCursor   *sql.Stmt

	begin, commit, rollback              *sql.Stmt
	savepoint, release, rollbackToSavept *sql.Stmt
}

func (st *statements) all() []*sql.Stmt {
	return []*sql.Stmt{st.lineState, st.insertOrder, st.deleteOrder, st.insertLine, st.change, st.setCursor,
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
	maxBatch int
	reqs     chan *request
	quit     chan struct{}
	done     chan struct{}
	stop     sync.Once
	// commits counts transactions, so tests can see calls share them.
	commits atomic.Int64
}

func newWriter(ctx context.Context, conn *sql.Conn, maxBatch int) (*writer, error) {
	w := &writer{conn: conn, maxBatch: max(1, maxBatch), reqs: make(chan *request, 1024), quit: make(chan struct{}), done: make(chan struct{})}
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
		{&w.st.change, changeSQL},
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

// changeSQL writes one store.Change; its arguments are journal.ChangeArgs.
const changeSQL = `UPDATE lines SET
	state = ?1,
	version = version + 1,
	supplier = COALESCE(?2, supplier),
	rule = COALESCE(?3, rule),
	tier = COALESCE(?4, tier),
	explain = COALESCE(?5, explain),
	tried = CASE WHEN ?6 = '' OR EXISTS (SELECT 1 FROM json_each(tried) WHERE value = ?6)
		THEN tried ELSE json_insert(tried, '$[#]', ?6) END,
	idempotency_key = COALESCE(?7, idempotency_key),
	attempts = COALESCE(?8, attempts),
	next_attempt_at = COALESCE(?9, next_attempt_at),
	supplier_order_id = COALESCE(?10, supplier_order_id),
	purchase_order_no = COALESCE(?11, purchase_order_no),
	shipment = COALESCE(?12, shipment),
	shipment_written_back = COALESCE(?13, shipment_written_back),
	reason = COALESCE(?14, reason),
	last_response = COALESCE(?15, last_response),
	updated_at = ?16,
	accepted_at = CASE WHEN ?1 = 'Accepted' THEN ?16 ELSE accepted_at END,
	lease_owner = CASE WHEN ?17 THEN '' ELSE lease_owner END,
	lease_until = CASE WHEN ?17 THEN 0 ELSE lease_until END,
	due_at = MAX(COALESCE(?9, next_attempt_at), CASE WHEN ?17 THEN 0 ELSE lease_until END)
WHERE id = ?18 AND state = ?19 AND version = ?20`

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
			errs[i] = r.fn(&tx{ctx: ctx, conn: w.conn, st: &w.st})
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
	err := r.fn(&tx{ctx: ctx, conn: w.conn, st: &w.st})
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
	errs = append(errs, w.conn.Close())
	return errors.Join(errs...)
}
