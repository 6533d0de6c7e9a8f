package postgres

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/switchboardhq/switchboard"
)

// The lease's timing. Together they bound a take-over at under 10 seconds
// (docs/deploy.md, "Leader and singleton jobs"):
//
//   - a leader whose process ends closes its connection, the server frees
//     the lock at once, and a follower has it within LeasePoll + LeaseGrace
//     (3 s);
//   - a leader that vanishes without closing (a host gone, a network cut)
//     stops pinging; the server ends its idle session after
//     leaseIdleTimeout and frees the lock, and a follower has it within
//     leaseIdleTimeout + LeasePoll + LeaseGrace (9 s). The old leader, if
//     it still runs, saw its ping fail within LeaseCheck + its timeout
//     (2 s) and stopped its jobs long before.
const (
	// DefaultLeasePoll is how often a follower tries to take the lock.
	DefaultLeasePoll = time.Second
	// DefaultLeaseCheck is how often the holder pings its connection;
	// a ping that fails or takes longer ends the lease.
	DefaultLeaseCheck = time.Second
	// DefaultLeaseGrace is how long a new holder waits before it reports
	// the lease held: longer than a previous holder needs to see its ping
	// fail and stop its jobs, so the two never run them at once.
	DefaultLeaseGrace = 2 * time.Second
	// leaseIdleTimeout is the lease connection's idle_session_timeout
	// (PostgreSQL 14 and later): the server ends the session of a holder
	// that stopped pinging, which frees the lock.
	leaseIdleTimeout = 6 * time.Second
	// LeaseApplicationName is the lease connection's application_name,
	// so operators find it in pg_stat_activity.
	LeaseApplicationName = "switchboard leader lease"
)

// Lease is the leader lease of one schema: a session advisory lock held on
// a connection of its own, outside the pool, so that no query of the pool
// can take or drop it. Its zero timing fields take the defaults.
type Lease struct {
	cfg *pgx.ConnConfig
	key int64
	// Poll, Check and Grace override DefaultLeasePoll, DefaultLeaseCheck
	// and DefaultLeaseGrace.
	Poll, Check, Grace time.Duration
}

var _ switchboard.Lease = (*Lease)(nil)

// errReleased is the cause of a held context ended by its release.
var errReleased = errors.New("leader lease released")

// Lease returns the leader lease of the store's schema. Every call returns
// a lease of its own (with its own connection once acquired): two calls
// are two contenders, as two instances are.
func (db *DB) Lease() *Lease {
	cfg := db.pool.Config().ConnConfig.Copy()
	cfg.RuntimeParams["application_name"] = LeaseApplicationName
	return &Lease{cfg: cfg, key: db.leaderLock}
}

func (l *Lease) timing() (poll, check, grace time.Duration) {
	poll, check, grace = l.Poll, l.Check, l.Grace
	if poll <= 0 {
		poll = DefaultLeasePoll
	}
	if check <= 0 {
		check = DefaultLeaseCheck
	}
	if grace <= 0 {
		grace = DefaultLeaseGrace
	}
	return poll, check, grace
}

// Acquire waits until this lease holds the lock, or ctx ends. It tries
// every Poll on one connection, reconnecting after an error.
func (l *Lease) Acquire(ctx context.Context) (context.Context, func(), error) {
	poll, check, grace := l.timing()
	var conn *pgx.Conn
	for {
		var ok bool
		var err error
		if conn == nil {
			conn, err = l.connect(ctx)
		}
		if err == nil {
			err = conn.QueryRow(ctx, `SELECT pg_try_advisory_lock($1)`, l.key).Scan(&ok)
		}
		if err == nil && ok {
			break
		}
		if err != nil && conn != nil {
			_ = conn.Close(context.Background())
			conn = nil
		}
		select {
		case <-ctx.Done():
			if conn != nil {
				_ = conn.Close(context.Background())
			}
			return nil, nil, ctx.Err()
		case <-time.After(poll):
		}
	}
	// A holder that lost its connection without knowing it yet stops its
	// jobs within its next check; waiting longer than that first keeps the
	// two apart. The session stays busy enough meanwhile: grace is well
	// below the idle timeout.
	select {
	case <-ctx.Done():
		_ = conn.Close(context.Background())
		return nil, nil, ctx.Err()
	case <-time.After(grace):
	}
	held, cancel := context.WithCancelCause(ctx)
	stop, done := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		l.hold(conn, check, cancel, stop)
	}()
	release := sync.OnceFunc(func() {
		cancel(errReleased)
		close(stop)
		<-done
	})
	return held, release, nil
}

// connect opens the lease's own connection.
func (l *Lease) connect(ctx context.Context) (*pgx.Conn, error) {
	conn, err := pgx.ConnectConfig(ctx, l.cfg.Copy())
	if err != nil {
		return nil, fmt.Errorf("lease connection: %w", err)
	}
	// Older servers (before 14) lack the setting; the lease still works,
	// only a vanished holder's lock then lasts until TCP gives up on it.
	_, _ = conn.Exec(ctx, fmt.Sprintf("SET idle_session_timeout = %d", leaseIdleTimeout.Milliseconds()))
	return conn, nil
}

// hold pings conn every check until stop is closed, and ends the lease
// (cancel) at the first failed ping. Closing the connection, at the end,
// frees the lock.
func (l *Lease) hold(conn *pgx.Conn, check time.Duration, cancel context.CancelCauseFunc, stop <-chan struct{}) {
	defer conn.Close(context.Background())
	t := time.NewTicker(check)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-t.C:
		}
		pctx, done := context.WithTimeout(context.Background(), check)
		err := conn.Ping(pctx)
		done()
		if err != nil {
			cancel(fmt.Errorf("leader lease lost: %w", err))
			return
		}
	}
}
