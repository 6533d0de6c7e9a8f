package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/switchboardhq/switchboard"
)

// This file implements switchboard.TokenStore: API tokens and service
// accounts. The rules (scopes within the owner's role, expiry, limits) are
// the service's; the store keeps rows.

const tokenColumns = `id, user_id, name, scopes, hash, created_by, created_at, expires_at, last_used_at, last_used_ip, revoked_at, rate_per_minute`

func scanToken(row pgx.Row) (*switchboard.APIToken, error) {
	var t switchboard.APIToken
	var scopes string
	var expires, used, revoked *time.Time
	if err := row.Scan(&t.ID, &t.UserID, &t.Name, &scopes, &t.Hash, &t.CreatedBy, &t.CreatedAt, &expires, &used,
		&t.LastUsedIP, &revoked, &t.RatePerMinute); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(scopes), &t.Scopes); err != nil {
		return nil, fmt.Errorf("token scopes: %w", err)
	}
	t.CreatedAt = t.CreatedAt.UTC()
	t.ExpiresAt, t.LastUsedAt, t.RevokedAt = fromNull(expires), fromNull(used), fromNull(revoked)
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
	c := *t
	if c.CreatedAt.IsZero() {
		c.CreatedAt = db.now()
	}
	c.CreatedAt = utc(c.CreatedAt)
	if !c.ExpiresAt.IsZero() {
		c.ExpiresAt = utc(c.ExpiresAt)
	}
	_, err = db.pool.Exec(ctx, `INSERT INTO api_tokens (`+tokenColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
		c.ID, c.UserID, c.Name, string(scopes), c.Hash, c.CreatedBy, c.CreatedAt, nullTime(c.ExpiresAt),
		nullTime(c.LastUsedAt), c.LastUsedIP, nullTime(c.RevokedAt), c.RatePerMinute)
	switch code, constraint := pgError(err); {
	case err == nil:
	case code == uniqueViolation:
		return switchboard.Errorf(switchboard.EConflict, "Token already exists.")
	case code == foreignKeyViolation && constraint == "api_tokens_user_id_fkey":
		return switchboard.NotFound("User")
	default:
		return fmt.Errorf("insert token: %w", err)
	}
	*t = c
	return nil
}

func (db *DB) findToken(ctx context.Context, where string, arg any) (*switchboard.APIToken, error) {
	t, err := scanToken(db.pool.QueryRow(ctx, `SELECT `+tokenColumns+` FROM api_tokens WHERE `+where, arg))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, switchboard.NotFound("Token")
	} else if err != nil {
		return nil, fmt.Errorf("get token: %w", err)
	}
	return t, nil
}

// APIToken returns a token by id.
func (db *DB) APIToken(ctx context.Context, id string) (*switchboard.APIToken, error) {
	return db.findToken(ctx, "id = $1", id)
}

// APITokenByHash returns the token with the given secret hash.
func (db *DB) APITokenByHash(ctx context.Context, hash string) (*switchboard.APIToken, error) {
	return db.findToken(ctx, "hash = $1", hash)
}

// APITokens lists a user's tokens, newest first.
func (db *DB) APITokens(ctx context.Context, userID string) ([]*switchboard.APIToken, error) {
	rows, err := db.pool.Query(ctx, `SELECT `+tokenColumns+` FROM api_tokens WHERE user_id = $1 ORDER BY created_at DESC, id`, userID)
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
	err := db.pool.QueryRow(ctx, `SELECT count(*) FROM api_tokens WHERE user_id = $1 AND revoked_at IS NULL
		AND (expires_at IS NULL OR expires_at > $2)`, userID, utc(now)).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("count tokens: %w", err)
	}
	return n, nil
}

// RevokeAPIToken marks a token revoked, keeping an earlier revocation time.
func (db *DB) RevokeAPIToken(ctx context.Context, id string, at time.Time) error {
	tag, err := db.pool.Exec(ctx, `UPDATE api_tokens SET revoked_at = COALESCE(revoked_at, $2) WHERE id = $1`, id, utc(at))
	if err != nil {
		return fmt.Errorf("revoke token: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return switchboard.NotFound("Token")
	}
	return nil
}

// TouchAPIToken records a use; last_used_at never moves back.
func (db *DB) TouchAPIToken(ctx context.Context, id string, at time.Time, ip string) error {
	tag, err := db.pool.Exec(ctx, `UPDATE api_tokens SET last_used_at = GREATEST(last_used_at, $2),
		last_used_ip = CASE WHEN last_used_at IS NULL OR last_used_at <= $2 THEN $3 ELSE last_used_ip END WHERE id = $1`,
		id, utc(at), ip)
	if err != nil {
		return fmt.Errorf("touch token: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return switchboard.NotFound("Token")
	}
	return nil
}

// CreateServiceAccount creates the account's user and its marker row in
// one transaction.
func (db *DB) CreateServiceAccount(ctx context.Context, sa *switchboard.ServiceAccount) error {
	if err := sa.Validate(); err != nil {
		return err
	}
	u := *sa.User
	c := *sa
	err := db.withTx(ctx, func(tx *txn) error {
		if err := insertUser(ctx, tx, db.now(), &u); err != nil {
			return err
		}
		if c.CreatedAt.IsZero() {
			c.CreatedAt = u.CreatedAt
		}
		c.CreatedAt = utc(c.CreatedAt)
		if _, err := tx.Exec(ctx, `INSERT INTO service_accounts (user_id, description, created_by, created_at, bot) VALUES ($1, $2, $3, $4, $5)`,
			u.ID, c.Description, c.CreatedBy, c.CreatedAt, c.Bot); err != nil {
			return fmt.Errorf("insert service account: %w", err)
		}
		return nil
	})
	if err != nil {
		return err
	}
	c.User = &u
	*sa = c
	return nil
}

const serviceAccountSelect = `SELECT s.description, s.bot, s.created_by, s.created_at, u.id, u.login, u.name, u.role_id, u.active,
	u.password_hash, u.password_changed_at, u.created_at, u.updated_at FROM service_accounts s JOIN users u ON u.id = s.user_id`

func scanServiceAccount(row pgx.Row) (*switchboard.ServiceAccount, error) {
	var sa switchboard.ServiceAccount
	var u switchboard.User
	var changed *time.Time
	if err := row.Scan(&sa.Description, &sa.Bot, &sa.CreatedBy, &sa.CreatedAt, &u.ID, &u.Login, &u.Name, &u.RoleID, &u.Active,
		&u.PasswordHash, &changed, &u.CreatedAt, &u.UpdatedAt); err != nil {
		return nil, err
	}
	sa.CreatedAt = sa.CreatedAt.UTC()
	u.PasswordChangedAt, u.CreatedAt, u.UpdatedAt = fromNull(changed), u.CreatedAt.UTC(), u.UpdatedAt.UTC()
	sa.User = &u
	return &sa, nil
}

// ServiceAccount returns the service account of a user.
func (db *DB) ServiceAccount(ctx context.Context, userID string) (*switchboard.ServiceAccount, error) {
	sa, err := scanServiceAccount(db.pool.QueryRow(ctx, serviceAccountSelect+` WHERE s.user_id = $1`, userID))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, switchboard.NotFound("Service account")
	} else if err != nil {
		return nil, fmt.Errorf("get service account: %w", err)
	}
	return sa, nil
}

// ServiceAccounts lists every service account by login.
func (db *DB) ServiceAccounts(ctx context.Context) ([]*switchboard.ServiceAccount, error) {
	rows, err := db.pool.Query(ctx, serviceAccountSelect+` ORDER BY u.login`)
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
