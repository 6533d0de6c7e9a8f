package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"runtime/debug"
)

// ErrClosed is returned for writes submitted after Close.
var ErrClosed = errors.New("sqlite: database is closed")

// writeTx is the transaction a write job runs in. Its statements see the writes of
// the jobs before it in the same batch; the batch commits as a whole.
type writeTx struct {
	*sql.Tx
	db    *DB
	hooks []func(committed bool)
}

// ExecContext runs a statement, reusing the writer's prepared statement for
// the query when there is one.
func (tx *writeTx) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if st := tx.db.stmts.get(query); st != nil {
		return tx.Tx.StmtContext(ctx, st).ExecContext(ctx, args...)
	}
	return tx.Tx.ExecContext(ctx, query, args...)
}

// QueryContext runs a query, reusing a prepared statement when there is one.
func (tx *writeTx) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if st := tx.db.stmts.get(query); st != nil {
		return tx.Tx.StmtContext(ctx, st).QueryContext(ctx, args...)
	}
	return tx.Tx.QueryContext(ctx, query, args...)
}

// QueryRowContext runs a query, reusing a prepared statement when there is
// one.
func (tx *writeTx) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if st := tx.db.stmts.get(query); st != nil {
		return tx.Tx.StmtContext(ctx, st).QueryRowContext(ctx, args...)
	}
	return tx.Tx.QueryRowContext(ctx, query, args...)
}

// stmtCache keeps the writer's prepared statements: SQLite spends a good
// part of a small write compiling its SQL. A statement can only be prepared
// while the single writer connection is free, so a query seen for the first
// time runs unprepared and is prepared after its batch. It is used only by
// the writer goroutine.
type stmtCache struct {
	stmts map[string]*sql.Stmt
	seen  map[string]struct{} // to prepare after the current batch
}

// maxStmts bounds the cache; queries built from filters vary.
const maxStmts = 256

func (c *stmtCache) get(query string) *sql.Stmt {
	if st, ok := c.stmts[query]; ok {
		return st
	}
	if len(c.stmts)+len(c.seen) < maxStmts {
		c.seen[query] = struct{}{}
	}
	return nil
}

// prepare prepares the queries seen in the last batch; a query that fails
// to prepare simply stays unprepared.
func (c *stmtCache) prepare(conn *sql.DB) {
	for q := range c.seen {
		if st, err := conn.Prepare(q); err == nil {
			c.stmts[q] = st
		}
		delete(c.seen, q)
	}
}

func (c *stmtCache) close() {
	for q, st := range c.stmts {
		st.Close()
		delete(c.stmts, q)
	}
}

// finally registers f to run once the job's fate is known: committed is
// false when the job failed (its savepoint was rolled back) or the batch's
// commit failed. In-memory side effects, such as cached data keys, must be
// undone there.
func (tx *writeTx) finally(f func(committed bool)) { tx.hooks = append(tx.hooks, f) }

func (tx *writeTx) settle(committed bool) {
	for _, f := range tx.hooks {
		f(committed)
	}
	tx.hooks = nil
}

// job is one unit of work for the writer goroutine.
type job struct {
	ctx context.Context
	fn  func(ctx context.Context, tx *writeTx) error
	// raw, when set, runs alone on the writer connection outside any
	// transaction (e.g. a WAL checkpoint).
	raw    func(ctx context.Context, conn *sql.DB) error
	result chan error // buffered, receives exactly one value
	tx     *writeTx   // set while the job runs
	err    error      // the job's own error
}

// write submits fn to the writer and waits until its batch has committed.
// fn runs inside a savepoint of the batch transaction: when it returns an
// error, only its own changes are rolled back.
func (db *DB) write(ctx context.Context, fn func(ctx context.Context, tx *writeTx) error) error {
	return db.submit(ctx, &job{ctx: ctx, fn: fn, result: make(chan error, 1)})
}

// writeRaw submits fn to run on the writer connection between batches.
func (db *DB) writeRaw(ctx context.Context, fn func(ctx context.Context, conn *sql.DB) error) error {
	return db.submit(ctx, &job{ctx: ctx, raw: fn, result: make(chan error, 1)})
}

func (db *DB) submit(ctx context.Context, j *job) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	db.closeMu.RLock()
	if db.closed {
		db.closeMu.RUnlock()
		return ErrClosed
	}
	db.queued.Add(1)
	select {
	case db.jobs <- j:
	case <-ctx.Done():
		db.queued.Add(-1)
		db.closeMu.RUnlock()
		return ctx.Err()
	}
	db.closeMu.RUnlock()

	// Once queued the job will be answered; wait for it even if ctx ends,
	// because the writer stops the job itself when its ctx is done, and
	// returning early would hide whether it committed.
	return <-j.result
}

// writeLoop is the writer goroutine: it takes every job that is waiting, up
// to maxBatch, runs them in one transaction and commits once, so many
// concurrent writers share one fsync (group commit).
func (db *DB) writeLoop() {
	defer close(db.done)
	defer db.stmts.close()
	var next *job // a raw job that ended the previous batch
	for {
		var batch []*job
		if next != nil {
			batch, next = append(batch, next), nil
		} else {
			j, ok := <-db.jobs
			if !ok {
				return
			}
			batch = append(batch, j)
		}
		if batch[0].raw != nil {
			db.runRaw(batch[0])
			continue
		}
	collect:
		for len(batch) < db.maxBatch {
			select {
			case j, ok := <-db.jobs:
				if !ok {
					break collect
				}
				if j.raw != nil {
					next = j
					break collect
				}
				batch = append(batch, j)
			default:
				break collect
			}
		}
		db.runBatch(batch)
		db.stmts.prepare(db.wdb)
	}
}

func (db *DB) answer(j *job, err error) {
	db.queued.Add(-1)
	j.result <- err
}

func (db *DB) runRaw(j *job) {
	if err := j.ctx.Err(); err != nil {
		db.answer(j, err)
		return
	}
	db.answer(j, j.raw(j.ctx, db.wdb))
}

func (db *DB) runBatch(batch []*job) {
	db.batches.Add(1)
	fail := func(err error) {
		for _, j := range batch {
			if j.tx != nil {
				j.tx.settle(false)
			}
			if j.err == nil {
				j.err = err
			}
			db.answer(j, j.err)
		}
	}

	// The batch transaction is not bound to any caller's context: one
	// caller giving up must not roll back the others.
	sqlTx, err := db.wdb.BeginTx(context.Background(), nil)
	if err != nil {
		fail(fmt.Errorf("begin: %w", err))
		return
	}
	for _, j := range batch {
		if err := j.ctx.Err(); err != nil {
			j.err = err
			continue
		}
		j.tx = &writeTx{Tx: sqlTx, db: db}
		if _, err := sqlTx.Exec("SAVEPOINT job"); err != nil {
			_ = sqlTx.Rollback()
			fail(fmt.Errorf("savepoint: %w", err))
			return
		}
		j.err = runJob(j)
		if j.err != nil {
			// Undo this job only. If even that fails, the transaction is
			// unusable and the whole batch fails.
			if _, err := sqlTx.Exec("ROLLBACK TO job"); err != nil {
				_ = sqlTx.Rollback()
				fail(fmt.Errorf("rollback to savepoint: %w", err))
				return
			}
			j.tx.settle(false)
			j.tx = nil
		}
		if _, err := sqlTx.Exec("RELEASE job"); err != nil {
			_ = sqlTx.Rollback()
			fail(fmt.Errorf("release savepoint: %w", err))
			return
		}
	}
	if err := sqlTx.Commit(); err != nil {
		fail(fmt.Errorf("commit: %w", err))
		return
	}
	for _, j := range batch {
		if j.tx != nil {
			j.tx.settle(true)
		}
		db.answer(j, j.err)
	}
}

// runJob calls the job's function, turning a panic into an error so that one
// bad job cannot take down the writer and every other caller with it.
func runJob(j *job) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("write job panicked: %v\n%s", r, debug.Stack())
		}
	}()
	// The job's statements do not see the caller's cancellation: SQLite
	// answers an interrupted write inside a transaction by rolling back the
	// whole transaction, which would fail every other job of the batch. A
	// caller that gives up before its job starts is skipped instead.
	return j.fn(context.WithoutCancel(j.ctx), j.tx)
}
