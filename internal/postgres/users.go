package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/internal/storecrypt"
	"github.com/switchboardhq/switchboard/internal/storekit"
)

const userColumns = `id, login, name, role_id, active, password_hash, password_changed_at, created_at, updated_at`

func scanUser(row pgx.Row) (*switchboard.User, error) {
	var u switchboard.User
	var changed *time.Time
	if err := row.Scan(&u.ID, &u.Login, &u.Name, &u.RoleID, &u.Active, &u.PasswordHash, &changed, &u.CreatedAt, &u.UpdatedAt); err != nil {
		return nil, err
	}
	u.PasswordChangedAt = fromNull(changed)
	u.CreatedAt, u.UpdatedAt = u.CreatedAt.UTC(), u.UpdatedAt.UTC()
	return &u, nil
}

// userError maps constraint violations of users to domain errors.
func userError(err error) error {
	switch code, constraint := pgError(err); {
	case code == uniqueViolation && constraint == "users_login_key":
		return switchboard.ErrLoginTaken
	case code == uniqueViolation && constraint == "users_pkey":
		return switchboard.ErrUserExists
	case code == foreignKeyViolation && constraint == "users_role_id_fkey":
		return switchboard.ErrUnknownRole
	}
	return err
}

// CreateUser inserts u, filling ID and times when empty. The login is
// stored lower-case.
func (db *DB) CreateUser(ctx context.Context, u *switchboard.User) error {
	// A transaction, so that the audit entry of the action goes with it.
	return db.withTx(ctx, func(tx *txn) error { return insertUser(ctx, tx, db.now(), u) })
}

func insertUser(ctx context.Context, q querier, now time.Time, u *switchboard.User) error {
	u.Login = switchboard.NormalizeLogin(u.Login)
	if u.Login == "" {
		return switchboard.ErrLoginRequired
	}
	if u.ID == "" {
		u.ID = switchboard.NewID()
	}
	if u.CreatedAt.IsZero() {
		u.CreatedAt = now
	}
	if u.UpdatedAt.IsZero() {
		u.UpdatedAt = u.CreatedAt
	}
	if u.PasswordHash != "" && u.PasswordChangedAt.IsZero() {
		u.PasswordChangedAt = u.CreatedAt
	}
	u.CreatedAt, u.UpdatedAt = utc(u.CreatedAt), utc(u.UpdatedAt)
	if !u.PasswordChangedAt.IsZero() {
		u.PasswordChangedAt = utc(u.PasswordChangedAt)
	}
	_, err := q.Exec(ctx, `INSERT INTO users (`+userColumns+`, search_key) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
		u.ID, u.Login, u.Name, u.RoleID, u.Active, u.PasswordHash, nullTime(u.PasswordChangedAt), u.CreatedAt, u.UpdatedAt,
		storekit.UserSearchKey(u.Login, u.Name))
	if err != nil {
		if err := userError(err); switchboard.ErrorCode(err) != switchboard.EInternal {
			return err
		}
		return fmt.Errorf("insert user: %w", err)
	}
	return nil
}

// User returns the user with the given id.
func (db *DB) User(ctx context.Context, id string) (*switchboard.User, error) {
	u, err := scanUser(db.pool.QueryRow(ctx, `SELECT `+userColumns+` FROM users WHERE id = $1`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, switchboard.NotFound("User")
	} else if err != nil {
		return nil, fmt.Errorf("get user: %w", err)
	}
	return u, nil
}

// UserByLogin returns the user with the given login, compared
// case-insensitively.
func (db *DB) UserByLogin(ctx context.Context, login string) (*switchboard.User, error) {
	u, err := scanUser(db.pool.QueryRow(ctx, `SELECT `+userColumns+` FROM users WHERE login = $1`, switchboard.NormalizeLogin(login)))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, switchboard.NotFound("User")
	} else if err != nil {
		return nil, fmt.Errorf("get user by login: %w", err)
	}
	return u, nil
}

// Users lists users ordered by login.
func (db *DB) Users(ctx context.Context, f switchboard.UserFilter) ([]*switchboard.User, string, error) {
	var where []string
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return fmt.Sprintf("$%d", len(args))
	}
	if f.IDs != nil {
		where = append(where, "id = ANY("+arg(f.IDs)+")")
	}
	if f.RoleID != "" {
		where = append(where, "role_id = "+arg(f.RoleID))
	}
	if f.RoleIDs != nil {
		where = append(where, "role_id = ANY("+arg(f.RoleIDs)+")")
	}
	if f.Active != nil {
		where = append(where, "active = "+arg(*f.Active))
	}
	if pat, ok := storekit.ContainsPattern(f.Query); ok {
		// search_key is folded by internal/fold, like the pattern.
		where = append(where, "search_key LIKE "+arg(pat))
	}
	if f.Cursor != "" {
		_, login, err := storecrypt.DecodeCursor(f.Cursor)
		if err != nil {
			return nil, "", err
		}
		where = append(where, "login > "+arg(login))
	}
	limit := storekit.ClampLimit(f.Limit)
	sql := `SELECT ` + userColumns + ` FROM users`
	if len(where) > 0 {
		sql += ` WHERE ` + strings.Join(where, " AND ")
	}
	sql += ` ORDER BY login LIMIT ` + arg(limit+1)

	rows, err := db.pool.Query(ctx, sql, args...)
	if err != nil {
		return nil, "", fmt.Errorf("list users: %w", err)
	}
	defer rows.Close()
	users, err := storekit.Collect(rows, func() (*switchboard.User, error) { return scanUser(rows) })
	if err != nil {
		return nil, "", fmt.Errorf("list users: %w", err)
	}
	users, next := storekit.Page(users, limit, storekit.UserCursor)
	return users, next, nil
}

// UpdateUser applies upd. Deactivating the user or changing the password
// deletes their sessions in the same transaction.
func (db *DB) UpdateUser(ctx context.Context, id string, upd switchboard.UserUpdate) (*switchboard.User, error) {
	var u *switchboard.User
	err := db.withTx(ctx, func(tx *txn) error {
		var err error
		u, err = scanUser(tx.QueryRow(ctx, `SELECT `+userColumns+` FROM users WHERE id = $1 FOR UPDATE`, id))
		if errors.Is(err, pgx.ErrNoRows) {
			return switchboard.NotFound("User")
		} else if err != nil {
			return fmt.Errorf("get user: %w", err)
		}
		dropSessions := u.Apply(upd, db.now())
		_, err = tx.Exec(ctx, `UPDATE users SET name = $2, role_id = $3, active = $4, password_hash = $5,
			password_changed_at = $6, updated_at = $7, search_key = $8 WHERE id = $1`,
			u.ID, u.Name, u.RoleID, u.Active, u.PasswordHash, nullTime(u.PasswordChangedAt), u.UpdatedAt,
			storekit.UserSearchKey(u.Login, u.Name))
		if err != nil {
			if err := userError(err); switchboard.ErrorCode(err) != switchboard.EInternal {
				return err
			}
			return fmt.Errorf("update user: %w", err)
		}
		if dropSessions {
			if _, err := tx.Exec(ctx, `DELETE FROM sessions WHERE user_id = $1`, u.ID); err != nil {
				return fmt.Errorf("delete sessions: %w", err)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return u, nil
}

// CountUsers returns the number of users.
func (db *DB) CountUsers(ctx context.Context) (int, error) {
	var n int
	if err := db.pool.QueryRow(ctx, `SELECT count(*) FROM users`).Scan(&n); err != nil {
		return 0, fmt.Errorf("count users: %w", err)
	}
	return n, nil
}

// Roles.

const roleColumns = `id, name, description, permissions, channel_ids, built_in, created_at, updated_at`

// roleSelect is what scanRole reads: roleColumns and the two-factor flag
// (set with SetRoleRequireTwoFactor, see twofactor.go).
const roleSelect = roleColumns + `, require_two_factor`

func scanRole(row pgx.Row) (*switchboard.Role, error) {
	var r switchboard.Role
	var perms, channels string
	if err := row.Scan(&r.ID, &r.Name, &r.Description, &perms, &channels, &r.BuiltIn, &r.CreatedAt, &r.UpdatedAt, &r.RequireTwoFactor); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(perms), &r.Permissions); err != nil {
		return nil, fmt.Errorf("role %s permissions: %w", r.ID, err)
	}
	if err := json.Unmarshal([]byte(channels), &r.ChannelIDs); err != nil {
		return nil, fmt.Errorf("role %s channel ids: %w", r.ID, err)
	}
	r.ChannelIDs = nonNilStrings(r.ChannelIDs)
	// The empty list is the stored form of "all channels".
	r.AllChannels = len(r.ChannelIDs) == 0
	r.CreatedAt, r.UpdatedAt = r.CreatedAt.UTC(), r.UpdatedAt.UTC()
	return &r, nil
}

func nonNilPerms(p []switchboard.Permission) []switchboard.Permission {
	if p == nil {
		return []switchboard.Permission{}
	}
	return p
}

func nonNilStrings(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func roleError(err error) error {
	if code, constraint := pgError(err); code == uniqueViolation {
		if constraint == "roles_name_key" {
			return switchboard.ErrRoleNameTaken
		}
		return switchboard.ErrRoleExists
	}
	return err
}

// CreateRole inserts a custom role.
func (db *DB) CreateRole(ctx context.Context, r *switchboard.Role) error {
	if err := r.Validate(); err != nil {
		return err
	}
	if r.ID == "" {
		r.ID = switchboard.NewID()
	}
	now := db.now()
	if r.CreatedAt.IsZero() {
		r.CreatedAt = now
	}
	if r.UpdatedAt.IsZero() {
		r.UpdatedAt = r.CreatedAt
	}
	r.CreatedAt, r.UpdatedAt = utc(r.CreatedAt), utc(r.UpdatedAt)
	r.BuiltIn = false
	r.Normalize()
	perms, _ := json.Marshal(r.Permissions)
	channels, _ := json.Marshal(r.ChannelIDs)
	err := db.withTx(ctx, func(tx *txn) error {
		_, err := tx.Exec(ctx, `INSERT INTO roles (`+roleColumns+`) VALUES ($1, $2, $3, $4, $5, false, $6, $7)`,
			r.ID, r.Name, r.Description, string(perms), string(channels), r.CreatedAt, r.UpdatedAt)
		return err
	})
	if err != nil {
		if err := roleError(err); switchboard.ErrorCode(err) != switchboard.EInternal {
			return err
		}
		return fmt.Errorf("insert role: %w", err)
	}
	return nil
}

// Role returns the role with the given id.
func (db *DB) Role(ctx context.Context, id string) (*switchboard.Role, error) {
	r, err := scanRole(db.pool.QueryRow(ctx, `SELECT `+roleSelect+` FROM roles WHERE id = $1`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, switchboard.NotFound("Role")
	} else if err != nil {
		return nil, fmt.Errorf("get role: %w", err)
	}
	return r, nil
}

// Roles returns every role: built-in ones first, then by name.
func (db *DB) Roles(ctx context.Context) ([]*switchboard.Role, error) {
	rows, err := db.pool.Query(ctx, `SELECT `+roleSelect+` FROM roles ORDER BY built_in DESC, created_at, name, id`)
	if err != nil {
		return nil, fmt.Errorf("list roles: %w", err)
	}
	defer rows.Close()
	roles, err := storekit.Collect(rows, func() (*switchboard.Role, error) { return scanRole(rows) })
	if err != nil {
		return nil, fmt.Errorf("list roles: %w", err)
	}
	return roles, nil
}

// UpdateRole changes a custom role. Built-in roles cannot be changed.
func (db *DB) UpdateRole(ctx context.Context, id string, upd switchboard.RoleUpdate) (*switchboard.Role, error) {
	var r *switchboard.Role
	err := db.withTx(ctx, func(tx *txn) error {
		var err error
		r, err = scanRole(tx.QueryRow(ctx, `SELECT `+roleSelect+` FROM roles WHERE id = $1 FOR UPDATE`, id))
		if errors.Is(err, pgx.ErrNoRows) {
			return switchboard.NotFound("Role")
		} else if err != nil {
			return fmt.Errorf("get role: %w", err)
		}
		if r.BuiltIn {
			return switchboard.ErrBuiltinRoleEdit
		}
		r.Apply(upd)
		if err := r.Validate(); err != nil {
			return err
		}
		r.UpdatedAt = db.now()
		perms, _ := json.Marshal(r.Permissions)
		channels, _ := json.Marshal(r.ChannelIDs)
		_, err = tx.Exec(ctx, `UPDATE roles SET name = $2, description = $3, permissions = $4, channel_ids = $5, updated_at = $6 WHERE id = $1`,
			r.ID, r.Name, r.Description, string(perms), string(channels), r.UpdatedAt)
		if err != nil {
			if err := roleError(err); switchboard.ErrorCode(err) != switchboard.EInternal {
				return err
			}
			return fmt.Errorf("update role: %w", err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return r, nil
}

// DeleteRole deletes a custom role that no user has.
func (db *DB) DeleteRole(ctx context.Context, id string) error {
	return db.withTx(ctx, func(tx *txn) error {
		var builtIn bool
		err := tx.QueryRow(ctx, `SELECT built_in FROM roles WHERE id = $1 FOR UPDATE`, id).Scan(&builtIn)
		if errors.Is(err, pgx.ErrNoRows) {
			return switchboard.NotFound("Role")
		} else if err != nil {
			return fmt.Errorf("get role: %w", err)
		}
		if builtIn {
			return switchboard.ErrBuiltinRoleDel
		}
		var inUse bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM users WHERE role_id = $1)`, id).Scan(&inUse); err != nil {
			return fmt.Errorf("role in use: %w", err)
		} else if inUse {
			return switchboard.ErrRoleInUse
		}
		if _, err := tx.Exec(ctx, `DELETE FROM roles WHERE id = $1`, id); err != nil {
			// A user given the role concurrently makes the foreign key fail.
			if code, _ := pgError(err); code == foreignKeyViolation {
				return switchboard.ErrRoleInUse
			}
			return fmt.Errorf("delete role: %w", err)
		}
		return nil
	})
}

// Sessions.

const sessionColumns = `id, user_id, created_at, last_seen_at, expires_at, ip, user_agent`

// CreateSession inserts s.
func (db *DB) CreateSession(ctx context.Context, s *switchboard.Session) error {
	if s.ID == "" {
		return switchboard.Errorf(switchboard.EInvalid, "Session id is required.")
	}
	now := db.now()
	if s.CreatedAt.IsZero() {
		s.CreatedAt = now
	}
	if s.LastSeenAt.IsZero() {
		s.LastSeenAt = s.CreatedAt
	}
	s.CreatedAt, s.LastSeenAt, s.ExpiresAt = utc(s.CreatedAt), utc(s.LastSeenAt), utc(s.ExpiresAt)
	_, err := db.pool.Exec(ctx, `INSERT INTO sessions (`+sessionColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		s.ID, s.UserID, s.CreatedAt, s.LastSeenAt, s.ExpiresAt, s.IP, s.UserAgent)
	switch code, _ := pgError(err); {
	case err == nil:
		return nil
	case code == foreignKeyViolation:
		return switchboard.NotFound("User")
	case code == uniqueViolation:
		return switchboard.Errorf(switchboard.EConflict, "Session already exists.")
	}
	return fmt.Errorf("insert session: %w", err)
}

// Session returns the session with the given id (the token hash), expired
// or not; the caller checks expiry.
func (db *DB) Session(ctx context.Context, id string) (*switchboard.Session, error) {
	var s switchboard.Session
	err := db.pool.QueryRow(ctx, `SELECT `+sessionColumns+` FROM sessions WHERE id = $1`, id).
		Scan(&s.ID, &s.UserID, &s.CreatedAt, &s.LastSeenAt, &s.ExpiresAt, &s.IP, &s.UserAgent)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, switchboard.NotFound("Session")
	} else if err != nil {
		return nil, fmt.Errorf("get session: %w", err)
	}
	s.CreatedAt, s.LastSeenAt, s.ExpiresAt = s.CreatedAt.UTC(), s.LastSeenAt.UTC(), s.ExpiresAt.UTC()
	return &s, nil
}

// TouchSession records activity at at. It never moves last_seen_at back.
func (db *DB) TouchSession(ctx context.Context, id string, at time.Time) error {
	tag, err := db.pool.Exec(ctx, `UPDATE sessions SET last_seen_at = GREATEST(last_seen_at, $2) WHERE id = $1`, id, utc(at))
	if err != nil {
		return fmt.Errorf("touch session: %w", err)
	} else if tag.RowsAffected() == 0 {
		return switchboard.NotFound("Session")
	}
	return nil
}

// DeleteSession deletes one session; deleting a missing one is no error.
func (db *DB) DeleteSession(ctx context.Context, id string) error {
	if _, err := db.pool.Exec(ctx, `DELETE FROM sessions WHERE id = $1`, id); err != nil {
		return fmt.Errorf("delete session: %w", err)
	}
	return nil
}

// DeleteUserSessions deletes every session of a user.
func (db *DB) DeleteUserSessions(ctx context.Context, userID string) error {
	if _, err := db.pool.Exec(ctx, `DELETE FROM sessions WHERE user_id = $1`, userID); err != nil {
		return fmt.Errorf("delete user sessions: %w", err)
	}
	return nil
}

// DeleteExpiredSessions deletes sessions idle since before idleBefore or
// past their absolute expiry at now, and returns how many.
func (db *DB) DeleteExpiredSessions(ctx context.Context, idleBefore, now time.Time) (int, error) {
	tag, err := db.pool.Exec(ctx, `DELETE FROM sessions WHERE last_seen_at < $1 OR expires_at <= $2`, utc(idleBefore), utc(now))
	if err != nil {
		return 0, fmt.Errorf("delete expired sessions: %w", err)
	}
	return int(tag.RowsAffected()), nil
}

// DeleteIdempotencyKeys implements [switchboard.Idempotency].
func (db *DB) DeleteIdempotencyKeys(ctx context.Context, before time.Time) (int, error) {
	tag, err := db.pool.Exec(ctx, `DELETE FROM idempotency_keys WHERE created_at < $1 AND user_id <> ''`, utc(before))
	if err != nil {
		return 0, fmt.Errorf("delete idempotency keys: %w", err)
	}
	return int(tag.RowsAffected()), nil
}

// Setup.

// PutSetupToken adds a setup token and deletes the expired ones.
func (db *DB) PutSetupToken(ctx context.Context, t switchboard.SetupToken) error {
	if err := t.Validate(); err != nil {
		return err
	}
	return db.withTx(ctx, func(tx *txn) error {
		if _, err := tx.Exec(ctx, `DELETE FROM setup_tokens WHERE expires_at <= $1`, utc(db.clock.Now())); err != nil {
			return fmt.Errorf("delete setup tokens: %w", err)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO setup_tokens (hash, expires_at) VALUES ($1, $2)`, t.Hash, utc(t.ExpiresAt)); err != nil {
			return fmt.Errorf("insert setup token: %w", err)
		}
		return nil
	})
}

// SetupTokenByHash returns the stored setup token with hash.
func (db *DB) SetupTokenByHash(ctx context.Context, hash string) (switchboard.SetupToken, error) {
	var t switchboard.SetupToken
	err := db.pool.QueryRow(ctx, `SELECT hash, expires_at FROM setup_tokens WHERE hash = $1`, hash).Scan(&t.Hash, &t.ExpiresAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return t, switchboard.NotFound("Setup token")
	} else if err != nil {
		return t, fmt.Errorf("get setup token: %w", err)
	}
	t.ExpiresAt = t.ExpiresAt.UTC()
	return t, nil
}

// CompleteSetup consumes a valid setup token and creates the first
// administrator, atomically.
func (db *DB) CompleteSetup(ctx context.Context, tokenHash string, now time.Time, admin *switchboard.User) error {
	return db.withTx(ctx, func(tx *txn) error {
		// Deleting the token row locks it: a concurrent attempt with the
		// same token waits and then finds nothing.
		tag, err := tx.Exec(ctx, `DELETE FROM setup_tokens WHERE hash = $1 AND expires_at > $2`, tokenHash, utc(now))
		if err != nil {
			return fmt.Errorf("consume setup token: %w", err)
		} else if tag.RowsAffected() == 0 {
			return switchboard.NotFound("Setup token")
		}
		// Lock users against a concurrent CreateUser slipping in between
		// the count and the insert.
		if _, err := tx.Exec(ctx, `LOCK TABLE users IN SHARE ROW EXCLUSIVE MODE`); err != nil {
			return fmt.Errorf("lock users: %w", err)
		}
		var n int
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM users`).Scan(&n); err != nil {
			return fmt.Errorf("count users: %w", err)
		} else if n > 0 {
			return switchboard.Errorf(switchboard.EConflict, "Setup is already complete.")
		}
		// The first user is always an active administrator.
		admin.RoleID, admin.Active = switchboard.RoleAdmin, true
		if err := insertUser(ctx, tx, utc(now), admin); err != nil {
			return err
		}
		// The other instances' links end with the setup.
		if _, err := tx.Exec(ctx, `DELETE FROM setup_tokens`); err != nil {
			return fmt.Errorf("delete setup tokens: %w", err)
		}
		return nil
	})
}

// fillSearchKeys computes users.search_key for the rows that have none:
// users from before migration 0006 and users a restore loaded (the dump
// carries no derived columns). The key is Go's fold rule, so SQL cannot
// compute it.
func fillSearchKeys(ctx context.Context, q querier) error {
	rows, err := q.Query(ctx, `SELECT id, login, name FROM users WHERE search_key = ''`)
	if err != nil {
		return fmt.Errorf("fill user search keys: %w", err)
	}
	users, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (switchboard.User, error) {
		var u switchboard.User
		err := row.Scan(&u.ID, &u.Login, &u.Name)
		return u, err
	})
	if err != nil {
		return fmt.Errorf("fill user search keys: %w", err)
	}
	for _, u := range users {
		if _, err := q.Exec(ctx, `UPDATE users SET search_key = $2 WHERE id = $1`, u.ID, storekit.UserSearchKey(u.Login, u.Name)); err != nil {
			return fmt.Errorf("fill user search keys: %w", err)
		}
	}
	return nil
}
