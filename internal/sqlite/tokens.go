package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/switchboardhq/switchboard"
)

// This file implements switchboard.TokenStore: API tokens and service
// accounts. The rules (scopes within the owner's role, expiry, limits) are
// the service's; the store keeps rows.

const tokenColumns = `id, user_id, name, scopes, hash, created_by, created_at, expires_at, last_used_at, last_used_ip, revoked_at, rate_per_minute`

func scanToken(row interface{ Scan(...any) error }) (*switchboard.APIToken, error) {
	var t switchboard.APIToken
	var scopes string
	var created, expires, used, revoked sql.NullInt64
	if err := row.Scan(&t.ID, &t.UserID, &t.Name, &scopes, &t.Hash, &t.CreatedBy, &created, &expires, &used,
		&t.LastUsedIP, &revoked, &t.RatePerMinute); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(scopes), &t.Scopes); err != nil {
		return nil, fmt.Errorf("token scopes: %w", err)
	}
	t.CreatedAt, t.ExpiresAt, t.LastUsedAt, t.RevokedAt = fromMicros(created), fromMicros(expires), fromMicros(used), fromMicros(revoked)
	return &t, nil
}

// CreateAPIToken stores t.
func (db *DB) CreateAPIToken(ctx context.Context, t *switchboard.APIToken) error {
	if t.ID == "" || t.Hash == "" {
		return switchboard.Errorf(switchboard.EInvalid, "Token id and hash are required.")
	}
	scopes, err := json.Marshal(t.Scopes)
	if err != nil {
		return fmt.Errorf("token scopes: %w", err)
	}
	return db.write(ctx, func(ctx context.Context, tx *writeTx) error {
		if _, err := db.findUser(ctx, tx, "id = ?", t.UserID); err != nil {
			return err
		}
		c := *t
		if c.CreatedAt.IsZero() {
			c.CreatedAt = db.now()
		}
		c.CreatedAt, c.ExpiresAt = utc(c.CreatedAt), utc(c.ExpiresAt)
		_, err := tx.ExecContext(ctx, `INSERT INTO api_tokens (`+tokenColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			c.ID, c.UserID, c.Name, string(scopes), c.Hash, c.CreatedBy, micros(c.CreatedAt), micros(c.ExpiresAt),
			micros(c.LastUsedAt), c.LastUsedIP, micros(c.RevokedAt), c.RatePerMinute)
		if isUnique(err) {
			return switchboard.Errorf(switchboard.EConflict, "Token already exists.")
		} else if err != nil {
			return fmt.Errorf("insert token: %w", err)
		}
		*t = c
		return nil
	})
}

func (db *DB) findToken(ctx context.Context, where string, arg any) (*switchboard.APIToken, error) {
	t, err := scanToken(db.rdb.QueryRowContext(ctx, `SELECT `+tokenColumns+` FROM api_tokens WHERE `+where, arg))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, switchboard.NotFound("Token")
	} else if err != nil {
		return nil, fmt.Errorf("get token: %w", err)
	}
	return t, nil
}

// APIToken returns a token by id.
func (db *DB) APIToken(ctx context.Context, id string) (*switchboard.APIToken, error) {
	return db.findToken(ctx, "id = ?", id)
}

// APITokenByHash returns the token with the given secret hash.
func (db *DB) APITokenByHash(ctx context.Context, hash string) (*switchboard.APIToken, error) {
	return db.findToken(ctx, "hash = ?", hash)
}

// APITokens lists a user's tokens, newest first.
func (db *DB) APITokens(ctx context.Context, userID string) ([]*switchboard.APIToken, error) {
	rows, err := db.rdb.QueryContext(ctx, `SELECT `+tokenColumns+` FROM api_tokens WHERE user_id = ? ORDER BY created_at DESC, id`, userID)
	if err != nil {
		return nil, fmt.Errorf("list tokens: %w", err)
	}
	defer rows.Close()
	out := []*switchboard.APIToken{}
	for rows.Next() {
		t, err := scanToken(rows)
		if err != nil {
			return nil, fmt.Errorf("list tokens: %w", err)
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// CountLiveAPITokens counts a user's unrevoked, unexpired tokens.
func (db *DB) CountLiveAPITokens(ctx context.Context, userID string, now time.Time) (int, error) {
	var n int
	err := db.rdb.QueryRowContext(ctx, `SELECT count(*) FROM api_tokens WHERE user_id = ? AND revoked_at IS NULL
		AND (expires_at IS NULL OR expires_at > ?)`, userID, micros(now)).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("count tokens: %w", err)
	}
	return n, nil
}

// RevokeAPIToken marks a token revoked, keeping an earlier revocation time.
func (db *DB) RevokeAPIToken(ctx context.Context, id string, at time.Time) error {
	return db.write(ctx, func(ctx context.Context, tx *writeTx) error {
		res, err := tx.ExecContext(ctx, `UPDATE api_tokens SET revoked_at = COALESCE(revoked_at, ?) WHERE id = ?`, micros(at), id)
		if err != nil {
			return fmt.Errorf("revoke token: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return switchboard.NotFound("Token")
		}
		return nil
	})
}

// TouchAPIToken records a use; last_used_at never moves back.
func (db *DB) TouchAPIToken(ctx context.Context, id string, at time.Time, ip string) error {
	return db.write(ctx, func(ctx context.Context, tx *writeTx) error {
		res, err := tx.ExecContext(ctx, `UPDATE api_tokens SET last_used_at = MAX(COALESCE(last_used_at, 0), ?),
			last_used_ip = CASE WHEN COALESCE(last_used_at, 0) <= ? THEN ? ELSE last_used_ip END WHERE id = ?`,
			micros(at), micros(at), ip, id)
		if err != nil {
			return fmt.Errorf("touch token: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return switchboard.NotFound("Token")
		}
		return nil
	})
}

// CreateServiceAccount creates the account's user and its marker row in
// one transaction.
func (db *DB) CreateServiceAccount(ctx context.Context, sa *switchboard.ServiceAccount) error {
	if err := sa.Validate(); err != nil {
		return err
	}
	return db.write(ctx, func(ctx context.Context, tx *writeTx) error {
		u := *sa.User
		if err := db.createUser(ctx, tx, &u); err != nil {
			return err
		}
		c := *sa
		c.User = &u
		if c.CreatedAt.IsZero() {
			c.CreatedAt = u.CreatedAt
		}
		c.CreatedAt = utc(c.CreatedAt)
		if _, err := tx.ExecContext(ctx, `INSERT INTO service_accounts (user_id, description, created_by, created_at, bot) VALUES (?, ?, ?, ?, ?)`,
			u.ID, c.Description, c.CreatedBy, micros(c.CreatedAt), c.Bot); err != nil {
			return fmt.Errorf("insert service account: %w", err)
		}
		*sa = c
		return nil
	})
}

const serviceAccountSelect = `SELECT s.description, s.bot, s.created_by, s.created_at, u.id, u.login, u.name, u.role_id, u.active,
	u.password_hash, u.password_changed_at, u.created_at, u.updated_at FROM service_accounts s JOIN users u ON u.id = s.user_id`

func scanServiceAccount(row interface{ Scan(...any) error }) (*switchboard.ServiceAccount, error) {
	var sa switchboard.ServiceAccount
	var u switchboard.User
	var created, changed, ucreated, uupdated sql.NullInt64
	if err := row.Scan(&sa.Description, &sa.Bot, &sa.CreatedBy, &created, &u.ID, &u.Login, &u.Name, &u.RoleID, &u.Active,
		&u.PasswordHash, &changed, &ucreated, &uupdated); err != nil {
		return nil, err
	}
	sa.CreatedAt = fromMicros(created)
	u.PasswordChangedAt, u.CreatedAt, u.UpdatedAt = fromMicros(changed), fromMicros(ucreated), fromMicros(uupdated)
	sa.User = &u
	return &sa, nil
}

// ServiceAccount returns the service account of a user.
func (db *DB) ServiceAccount(ctx context.Context, userID string) (*switchboard.ServiceAccount, error) {
	sa, err := scanServiceAccount(db.rdb.QueryRowContext(ctx, serviceAccountSelect+` WHERE s.user_id = ?`, userID))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, switchboard.NotFound("Service account")
	} else if err != nil {
		return nil, fmt.Errorf("get service account: %w", err)
	}
	return sa, nil
}

// ServiceAccounts lists every service account by login.
func (db *DB) ServiceAccounts(ctx context.Context) ([]*switchboard.ServiceAccount, error) {
	rows, err := db.rdb.QueryContext(ctx, serviceAccountSelect+` ORDER BY u.login`)
	if err != nil {
		return nil, fmt.Errorf("list service accounts: %w", err)
	}
	defer rows.Close()
	out := []*switchboard.ServiceAccount{}
	for rows.Next() {
		sa, err := scanServiceAccount(rows)
		if err != nil {
			return nil, fmt.Errorf("list service accounts: %w", err)
		}
		out = append(out, sa)
	}
	return out, rows.Err()
}
