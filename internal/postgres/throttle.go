package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/switchboardhq/switchboard"
)

// errThrottleRace is UpdateThrottle's signal that another transaction
// created the entry between its read and its insert.
var errThrottleRace = errors.New("throttle entry created concurrently")

// UpdateThrottle reads the entry under a row lock, so concurrent updates of
// one key (from any instance) apply one after the other. A missing entry
// has no row to lock: when two transactions create it at once, the loser
// of the insert reads the winner's row and applies f again.
func (db *DB) UpdateThrottle(ctx context.Context, key string, f func(e *switchboard.ThrottleEntry) bool) error {
	for attempt := 0; ; attempt++ {
		// The entry of an audited action (a login) is not this write's.
		err := db.withTx(switchboard.WithoutAuditEntry(ctx), func(tx *txn) error {
			var e switchboard.ThrottleEntry
			var locked *time.Time
			err := tx.QueryRow(ctx, `SELECT failures, pending, first_at, locked_until FROM login_throttle WHERE key = $1 FOR UPDATE`, key).
				Scan(&e.Failures, &e.Pending, &e.First, &locked)
			found := err == nil
			if err != nil && !errors.Is(err, pgx.ErrNoRows) {
				return fmt.Errorf("read throttle: %w", err)
			}
			err = nil
			if locked != nil {
				e.LockedUntil = locked.UTC()
			}
			e.First = e.First.UTC()
			if !f(&e) {
				return nil
			}
			var until *time.Time
			if !e.LockedUntil.IsZero() {
				u := utc(e.LockedUntil)
				until = &u
			}
			switch {
			case e.IsZero() && found:
				_, err = tx.Exec(ctx, `DELETE FROM login_throttle WHERE key = $1`, key)
			case e.IsZero():
			case found:
				_, err = tx.Exec(ctx, `UPDATE login_throttle SET failures = $2, pending = $3, first_at = $4, locked_until = $5 WHERE key = $1`,
					key, e.Failures, e.Pending, utc(e.First), until)
			default:
				tag, ierr := tx.Exec(ctx, `INSERT INTO login_throttle (key, failures, pending, first_at, locked_until) VALUES ($1, $2, $3, $4, $5)
					ON CONFLICT (key) DO NOTHING`, key, e.Failures, e.Pending, utc(e.First), until)
				if err = ierr; err == nil && tag.RowsAffected() == 0 {
					return errThrottleRace
				}
			}
			if err != nil {
				return fmt.Errorf("store throttle: %w", err)
			}
			return nil
		})
		if errors.Is(err, errThrottleRace) && attempt < 3 {
			continue
		}
		return err
	}
}

// DeleteThrottles forgets entries whose window and lock-out have passed.
func (db *DB) DeleteThrottles(ctx context.Context, before, now time.Time) (int, error) {
	tag, err := db.pool.Exec(ctx, `DELETE FROM login_throttle WHERE first_at < $1 AND (locked_until IS NULL OR locked_until <= $2)`, utc(before), utc(now))
	if err != nil {
		return 0, fmt.Errorf("delete throttles: %w", err)
	}
	return int(tag.RowsAffected()), nil
}
