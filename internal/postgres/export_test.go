package postgres

import (
	"context"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/switchboardhq/switchboard"
)

// AppendLiveEventsBeforeCommit is AppendLiveEvents calling beforeCommit
// inside the transaction, once its rows are inserted, so that a test can
// hold it open (and roll it back with an error).
func (db *DB) AppendLiveEventsBeforeCommit(ctx context.Context, es []switchboard.Event, beforeCommit func() error) error {
	return db.appendLiveEvents(ctx, es, beforeCommit)
}

// LiveChannel is the NOTIFY channel of the store's live events.
func (db *DB) LiveChannel() string { return db.liveChannel }

// Pool is the store's connection pool, for inspection.
func (db *DB) Pool() *pgxpool.Pool { return db.pool }

// LeaseKey is the advisory lock key of l, for the tests that find the
// lease's backend in pg_locks.
func LeaseKey(l *Lease) int64 { return l.key }
