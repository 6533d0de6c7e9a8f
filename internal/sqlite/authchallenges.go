package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/switchboardhq/switchboard"
)

func errNoChallenge() error { return switchboard.NotFound("Challenge") }

// PutAuthChallenge stores c, replacing the challenge with its key.
func (db *DB) PutAuthChallenge(ctx context.Context, c *switchboard.AuthChallenge) error {
	return db.write(switchboard.WithoutAuditEntry(ctx), func(ctx context.Context, tx *writeTx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO auth_challenges (key, user_id, attempts, expires_at, state) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (key) DO UPDATE SET user_id = excluded.user_id, attempts = excluded.attempts,
			expires_at = excluded.expires_at, state = excluded.state`,
			c.Key, c.UserID, c.Attempts, micros(utc(c.ExpiresAt)), c.State)
		if err != nil {
			return fmt.Errorf("put auth challenge: %w", err)
		}
		return nil
	})
}

// UpdateAuthChallenge reads and changes the challenge in a write of the
// single writer, which orders it against every other.
func (db *DB) UpdateAuthChallenge(ctx context.Context, key string, now time.Time, f func(c *switchboard.AuthChallenge) switchboard.AuthChallengeChange) (*switchboard.AuthChallenge, error) {
	var out *switchboard.AuthChallenge
	err := db.write(switchboard.WithoutAuditEntry(ctx), func(ctx context.Context, tx *writeTx) error {
		c := &switchboard.AuthChallenge{Key: key}
		var exp sql.NullInt64
		err := tx.QueryRowContext(ctx, `SELECT user_id, attempts, expires_at, state FROM auth_challenges WHERE key = ? AND expires_at > ?`,
			key, micros(utc(now))).Scan(&c.UserID, &c.Attempts, &exp, &c.State)
		if errors.Is(err, sql.ErrNoRows) {
			return errNoChallenge()
		} else if err != nil {
			return fmt.Errorf("read auth challenge: %w", err)
		}
		c.ExpiresAt = fromMicros(exp)
		switch f(c) {
		case switchboard.AuthChallengeSave:
			_, err = tx.ExecContext(ctx, `UPDATE auth_challenges SET attempts = ?, state = ? WHERE key = ?`, c.Attempts, c.State, key)
		case switchboard.AuthChallengeDelete:
			_, err = tx.ExecContext(ctx, `DELETE FROM auth_challenges WHERE key = ?`, key)
		}
		if err != nil {
			return fmt.Errorf("store auth challenge: %w", err)
		}
		out = c
		return nil
	})
	return out, err
}

// TakeAuthChallenge deletes the challenge and returns it (DELETE …
// RETURNING), so of concurrent takes one gets it.
func (db *DB) TakeAuthChallenge(ctx context.Context, key string, now time.Time) (*switchboard.AuthChallenge, error) {
	var out *switchboard.AuthChallenge
	err := db.write(switchboard.WithoutAuditEntry(ctx), func(ctx context.Context, tx *writeTx) error {
		c := &switchboard.AuthChallenge{Key: key}
		var exp sql.NullInt64
		err := tx.QueryRowContext(ctx, `DELETE FROM auth_challenges WHERE key = ? AND expires_at > ? RETURNING user_id, attempts, expires_at, state`, key, micros(utc(now))).
			Scan(&c.UserID, &c.Attempts, &exp, &c.State)
		if errors.Is(err, sql.ErrNoRows) {
			return errNoChallenge()
		} else if err != nil {
			return fmt.Errorf("take auth challenge: %w", err)
		}
		c.ExpiresAt = fromMicros(exp)
		out = c
		return nil
	})
	return out, err
}

// DeleteAuthChallenges removes the expired challenges.
func (db *DB) DeleteAuthChallenges(ctx context.Context, now time.Time) (int, error) {
	var n int64
	err := db.write(ctx, func(ctx context.Context, tx *writeTx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM auth_challenges WHERE expires_at <= ?`, micros(utc(now)))
		if err != nil {
			return fmt.Errorf("delete auth challenges: %w", err)
		}
		n, err = res.RowsAffected()
		return err
	})
	return int(n), err
}
