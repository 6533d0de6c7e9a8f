package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"runtime/debug"
	"time"

	"github.com/switchboardhq/switchboard"
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
	urgent bool       // submitted through writeUrgent
	result chan error // buffered, receives exactly one value
	tx     *writeTx   // set while the job runs
	err    error      // the job's own error
}

// write submits fn to the writer and waits until its batch has committed.
// fn runs inside the batch transaction, in a savepoint unless it is the
// batch's first job: when it returns an error, only its own changes are
// rolled back. An audit entry on ctx ([switchboard.WithAuditEntry]) is
// appended in the same transaction (see withAudit).
func (db *DB) write(ctx context.Context, fn func(ctx context.Context, tx *writeTx) error) error {
	return db.submit(ctx, db.jobs, &job{ctx: ctx, fn: db.withAudit(fn), result: make(chan error, 1)})
}

// writeUrgent is write for jobs someone outside is waiting for, such as
// queueing a webhook before Meta gets its 200: the writer takes them before
// ordinary jobs, and a batch with urgent jobs carries only a few ordinary
// ones (see maxOrdinaryWithUrgent), so an acknowledgement never waits
// behind a long row of heavy processing jobs.
func (db *DB) writeUrgent(ctx context.Context, fn func(ctx context.Context, tx *writeTx) error) error {
	return db.submit(ctx, db.urgent, &job{ctx: ctx, fn: db.withAudit(fn), urgent: true, result: make(chan error, 1)})
}

// writeRaw submits fn to run on the writer connection between batches.
func (db *DB) writeRaw(ctx context.Context, fn func(ctx context.Context, conn *sql.DB) error) error {
	return db.submit(ctx, db.jobs, &job{ctx: ctx, raw: fn, result: make(chan error, 1)})
}

func (db *DB) submit(ctx context.Context, queue chan *job, j *job) error {
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
	case queue <- j:
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

// maxOrdinaryWithUrgent is how many ordinary jobs a batch takes along when
// it has urgent ones. At least one, so that a steady stream of urgent jobs
// cannot starve the others; one, because every job of a batch waits for
// the slowest before the commit answers them all, and an ingest apply job
// of 128 messages is the slowest there is. The urgent jobs of a
// batch leave room for them (see urgentRoom): under load the urgent queue
// alone would fill every batch, and the ingest's apply jobs, which are
// ordinary, would never run while acknowledgements keep coming.
const maxOrdinaryWithUrgent = 1

// urgentRoom is how many urgent jobs a batch takes at most: maxBatch less
// the place kept for an ordinary job (Open makes maxBatch larger than
// maxOrdinaryWithUrgent).
func (db *DB) urgentRoom() int { return db.maxBatch - maxOrdinaryWithUrgent }

// writeLoop is the writer goroutine: it takes every job that is waiting, up
// to maxBatch, runs them in one transaction and commits once, so many
// concurrent writers share one fsync (group commit). Urgent jobs are taken
// first.
func (db *DB) writeLoop() {
	defer close(db.done)
	defer db.stmts.close()
	urgent, jobs := db.urgent, db.jobs
	// poll takes a waiting job from *q, or returns nil at once. A closed
	// queue is dropped (set to nil).
	poll := func(q *chan *job) *job {
		if *q == nil {
			return nil
		}
		select {
		case j, open := <-*q:
			if !open {
				*q = nil
				return nil
			}
			return j
		default:
			return nil
		}
	}
	// recv waits for a job from either queue, urgent first; ok is false once
	// both queues are closed and drained.
	recv := func() (j *job, ok bool) {
		for urgent != nil || jobs != nil {
			if j := poll(&urgent); j != nil {
				return j, true
			}
			if urgent == nil && jobs == nil {
				break
			}
			select {
			case j, open := <-urgent:
				if open {
					return j, true
				}
				urgent = nil
			case j, open := <-jobs:
				if open {
					return j, true
				}
				jobs = nil
			}
		}
		return nil, false
	}
	var next *job // a raw job that ended the previous batch
	var lastCommit time.Time
	for {
		var first *job
		if next != nil {
			first, next = next, nil
		} else {
			j, ok := recv()
			if !ok {
				return
			}
			first = j
		}
		if first.raw != nil {
			db.runRaw(first)
			continue
		}
		// Every urgent job that is waiting, up to urgentRoom, and ordinary
		// ones: as many as fit when there is no urgent job, and
		// maxOrdinaryWithUrgent when there is (never none while one
		// waits). Ordinary jobs go first: the first job of a batch runs
		// without a savepoint (see runBatch), and they are the ones that
		// write much.
		var ordinary, urgentJobs []*job
		if first.urgent {
			urgentJobs = append(urgentJobs, first)
		} else {
			ordinary = append(ordinary, first)
		}
		for len(urgentJobs) < db.urgentRoom() && len(ordinary)+len(urgentJobs) < db.maxBatch {
			j := poll(&urgent)
			if j == nil {
				break
			}
			urgentJobs = append(urgentJobs, j)
		}
		for len(ordinary)+len(urgentJobs) < db.maxBatch && (len(urgentJobs) == 0 || len(ordinary) < maxOrdinaryWithUrgent) {
			j := poll(&jobs)
			if j == nil {
				break
			}
			if j.raw != nil {
				next = j
				break
			}
			ordinary = append(ordinary, j)
		}
		// Only urgent jobs: wait for more until minCommitInterval after the
		// previous batch began, or until an ordinary job arrives. Under load
		// acknowledgements then share commits, each of which is an fsync
		// that costs CPU as well as time; when it is quiet, the previous
		// batch began long ago and nothing waits.
		if len(ordinary) == 0 && next == nil && len(urgentJobs) < db.urgentRoom() {
			if wait := db.minCommitInterval - time.Since(lastCommit); wait > 0 {
				timer := time.NewTimer(wait)
			gather:
				for len(urgentJobs) < db.urgentRoom() {
					select {
					case j, open := <-urgent:
						if !open {
							urgent = nil
							break gather
						}
						urgentJobs = append(urgentJobs, j)
					case j, open := <-jobs:
						if !open {
							jobs = nil
						} else if j.raw != nil {
							next = j
						} else {
							ordinary = append(ordinary, j)
						}
						break gather
					case <-timer.C:
						break gather
					}
				}
				timer.Stop()
			}
		}
		batch := append(ordinary, urgentJobs...)
		lastCommit = time.Now()
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
	first := true
	for _, j := range batch {
		if err := j.ctx.Err(); err != nil {
			j.err = err
			continue
		}
		j.tx = &writeTx{Tx: sqlTx, db: db}
		if first {
			// The first job runs without a savepoint, which would copy
			// every page it changes into the statement journal: if it
			// fails, the transaction holds only its changes and is rolled
			// back and begun again.
			first = false
			if j.err = runJob(j); j.err != nil {
				_ = sqlTx.Rollback()
				j.tx.settle(false)
				j.tx = nil
				if sqlTx, err = db.wdb.BeginTx(context.Background(), nil); err != nil {
					fail(fmt.Errorf("begin: %w", err))
					return
				}
			}
			continue
		}
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

// claimCount runs query, which lists the payload sizes of a queue's claim
// candidates in queue order, and returns how many of them a claim takes
// under maxBytes ([switchboard.ClaimTake]). It runs in the write job, so
// the claim that follows sees the same candidates.
func claimCount(ctx context.Context, tx *writeTx, query string, maxBytes int64, args ...any) (int, error) {
	rows, err := tx.QueryContext(ctx, query, args...)
	if err != nil {
		return 0, fmt.Errorf("claim sizes: %w", err)
	}
	defer rows.Close()
	var sizes []int64
	for rows.Next() {
		var n sql.NullInt64
		if err := rows.Scan(&n); err != nil {
			return 0, fmt.Errorf("claim sizes: %w", err)
		}
		sizes = append(sizes, n.Int64)
	}
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("claim sizes: %w", err)
	}
	return switchboard.ClaimTake(sizes, maxBytes), nil
}
