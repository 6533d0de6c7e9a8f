package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/switchboardhq/switchboard"
)

func errNoChallenge() error { return switchboard.NotFound("Challenge") }

// PutAuthChallenge stores c, replacing the challenge with its key.
func (db *DB) PutAuthChallenge(ctx context.Context, c *switchboard.AuthChallenge) error {
	_, err := db.pool.Exec(ctx, `INSERT INTO auth_challenges (key, user_id, attempts, expires_at, state) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (key) DO UPDATE SET user_id = excluded.user_id, attempts = excluded.attempts,
		expires_at = excluded.expires_at, state = excluded.state`,
		c.Key, c.UserID, c.Attempts, utc(c.ExpiresAt), c.State)
	if err != nil {
		return fmt.Errorf("put auth challenge: %w", err)
	}
	return nil
}

// UpdateAuthChallenge reads the challenge under a row lock, so concurrent
// uses of one challenge (from any instance) apply one after the other.
func (db *DB) UpdateAuthChallenge(ctx context.Context, key string, now time.Time, f func(c *switchboard.AuthChallenge) switchboard.AuthChallengeChange) (*switchboard.AuthChallenge, error) {
	var out *switchboard.AuthChallenge
	err := db.withTx(switchboard.WithoutAuditEntry(ctx), func(tx *txn) error {
		c := &switchboard.AuthChallenge{Key: key}
		err := tx.QueryRow(ctx, `SELECT user_id, attempts, expires_at, state FROM auth_challenges WHERE key = $1 AND expires_at > $2 FOR UPDATE`,
			key, utc(now)).Scan(&c.UserID, &c.Attempts, &c.ExpiresAt, &c.State)
		if errors.Is(err, pgx.ErrNoRows) {
			return errNoChallenge()
		} else if err != nil {
			return fmt.Errorf("read auth challenge: %w", err)
		}
		c.ExpiresAt = c.ExpiresAt.UTC()
		switch f(c) {
		case switchboard.AuthChallengeSave:
			_, err = tx.Exec(ctx, `UPDATE auth_challenges SET attempts = $2, state = $3 WHERE key = $1`, key, c.Attempts, c.State)
		case switchboard.AuthChallengeDelete:
			_, err = tx.Exec(ctx, `DELETE FROM auth_challenges WHERE key = $1`, key)
		}
		if err != nil {
			return fmt.Errorf("store auth challenge: %w", err)
		}
		out = c
		return nil
	})
	return out, err
}

// TakeAuthChallenge deletes the live challenge and returns it in one
// statement (DELETE … RETURNING), so of concurrent takes one gets it.
func (db *DB) TakeAuthChallenge(ctx context.Context, key string, now time.Time) (*switchboard.AuthChallenge, error) {
	c := &switchboard.AuthChallenge{Key: key}
	err := db.pool.QueryRow(ctx, `DELETE FROM auth_challenges WHERE key = $1 AND expires_at > $2 RETURNING user_id, attempts, expires_at, state`,
		key, utc(now)).Scan(&c.UserID, &c.Attempts, &c.ExpiresAt, &c.State)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, errNoChallenge()
	} else if err != nil {
		return nil, fmt.Errorf("take auth challenge: %w", err)
	}
	c.ExpiresAt = c.ExpiresAt.UTC()
	return c, nil
}

// DeleteAuthChallenges removes the expired challenges.
func (db *DB) DeleteAuthChallenges(ctx context.Context, now time.Time) (int, error) {
	tag, err := db.pool.Exec(ctx, `DELETE FROM auth_challenges WHERE expires_at <= $1`, utc(now))
	if err != nil {
		return 0, fmt.Errorf("delete auth challenges: %w", err)
	}
	return int(tag.RowsAffected()), nil
}
