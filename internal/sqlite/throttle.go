package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/switchboardhq/switchboard"
)

// UpdateThrottle reads, changes and stores one throttle entry in a write
// of the single writer, which orders it against every other.
func (db *DB) UpdateThrottle(ctx context.Context, key string, f func(e *switchboard.ThrottleEntry) bool) error {
	// The entry of an audited action (a login) is not this write's.
	return db.write(switchboard.WithoutAuditEntry(ctx), func(ctx context.Context, tx *writeTx) error {
		var e switchboard.ThrottleEntry
		var first, locked sql.NullInt64
		err := tx.QueryRowContext(ctx, `SELECT failures, pending, first_at, locked_until FROM login_throttle WHERE key = ?`, key).
			Scan(&e.Failures, &e.Pending, &first, &locked)
		found := err == nil
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("read throttle: %w", err)
		}
		err = nil
		e.First, e.LockedUntil = fromMicros(first), fromMicros(locked)
		if !f(&e) {
			return nil
		}
		switch {
		case e.IsZero() && found:
			_, err = tx.ExecContext(ctx, `DELETE FROM login_throttle WHERE key = ?`, key)
		case e.IsZero():
		default:
			_, err = tx.ExecContext(ctx, `INSERT INTO login_throttle (key, failures, pending, first_at, locked_until) VALUES (?, ?, ?, ?, ?)
				ON CONFLICT (key) DO UPDATE SET failures = excluded.failures, pending = excluded.pending,
				first_at = excluded.first_at, locked_until = excluded.locked_until`,
				key, e.Failures, e.Pending, micros(utc(e.First)), micros(utc(e.LockedUntil)))
		}
		if err != nil {
			return fmt.Errorf("store throttle: %w", err)
		}
		return nil
	})
}

// DeleteThrottles forgets entries whose window and lock-out have passed.
func (db *DB) DeleteThrottles(ctx context.Context, before, now time.Time) (int, error) {
	var n int64
	err := db.write(ctx, func(ctx context.Context, tx *writeTx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM login_throttle WHERE first_at < ? AND (locked_until IS NULL OR locked_until <= ?)`,
			micros(utc(before)), micros(utc(now)))
		if err != nil {
			return fmt.Errorf("delete throttles: %w", err)
		}
		n, err = res.RowsAffected()
		return err
	})
	return int(n), err
}
