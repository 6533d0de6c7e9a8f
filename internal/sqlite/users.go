package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/internal/storecrypt"
)

// querier is what reads need: the read pool, or a write job's transaction
// (so a job reads its own writes).
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// Page size limits for every list.
const (
	defaultLimit = 50
	maxLimit     = 200
)

func clampLimit(n int) int {
	switch {
	case n <= 0:
		return defaultLimit
	case n > maxLimit:
		return maxLimit
	}
	return n
}

// placeholders returns "?, ?, ?" for n arguments.
func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}

// escapeLike escapes the LIKE wildcards of s for use with ESCAPE '\'.
func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

const userColumns = `id, login, name, role_id, active, password_hash, password_changed_at, created_at, updated_at`

func scanUser(row interface{ Scan(...any) error }) (*switchboard.User, error) {
	var u switchboard.User
	var changed, created, updated sql.NullInt64
	if err := row.Scan(&u.ID, &u.Login, &u.Name, &u.RoleID, &u.Active, &u.PasswordHash, &changed, &created, &updated); err != nil {
		return nil, err
	}
	u.PasswordChangedAt, u.CreatedAt, u.UpdatedAt = fromMicros(changed), fromMicros(created), fromMicros(updated)
	return &u, nil
}

func (db *DB) findUser(ctx context.Context, q querier, where string, arg any) (*switchboard.User, error) {
	u, err := scanUser(q.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE `+where, arg))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, switchboard.NotFound("User")
	} else if err != nil {
		return nil, fmt.Errorf("get user: %w", err)
	}
	return u, nil
}

// CreateUser stores u, assigning its id and times when they are empty.
func (db *DB) CreateUser(ctx context.Context, u *switchboard.User) error {
	return db.write(ctx, func(ctx context.Context, tx *writeTx) error { return db.createUser(ctx, tx, u) })
}

func (db *DB) createUser(ctx context.Context, tx *writeTx, u *switchboard.User) error {
	login := strings.ToLower(strings.TrimSpace(u.Login))
	if login == "" {
		return switchboard.Errorf(switchboard.EInvalid, "Login is required.")
	}
	if err := db.checkRole(ctx, tx, u.RoleID); err != nil {
		return err
	}
	now := db.now()
	c := *u
	c.Login = login
	if c.ID == "" {
		c.ID = switchboard.NewID()
	}
	if c.CreatedAt.IsZero() {
		c.CreatedAt = now
	}
	if c.UpdatedAt.IsZero() {
		c.UpdatedAt = c.CreatedAt
	}
	if c.PasswordHash != "" && c.PasswordChangedAt.IsZero() {
		c.PasswordChangedAt = c.CreatedAt
	}
	c.CreatedAt, c.UpdatedAt, c.PasswordChangedAt = utc(c.CreatedAt), utc(c.UpdatedAt), utc(c.PasswordChangedAt)
	_, err := tx.ExecContext(ctx, `INSERT INTO users (`+userColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		c.ID, c.Login, c.Name, c.RoleID, c.Active, c.PasswordHash, micros(c.PasswordChangedAt), micros(c.CreatedAt), micros(c.UpdatedAt))
	if isUnique(err) {
		var taken bool
		if qerr := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM users WHERE login = ?)`, c.Login).Scan(&taken); qerr == nil && !taken {
			return switchboard.Errorf(switchboard.EConflict, "switchboard.User already exists.")
		}
		return switchboard.Errorf(switchboard.EConflict, "Login is already taken.")
	} else if err != nil {
		return fmt.Errorf("insert user: %w", err)
	}
	*u = c
	return nil
}

func (db *DB) checkRole(ctx context.Context, q querier, id string) error {
	var ok bool
	if err := q.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM roles WHERE id = ?)`, id).Scan(&ok); err != nil {
		return fmt.Errorf("check role: %w", err)
	}
	if !ok {
		return switchboard.Errorf(switchboard.EInvalid, "Unknown role.")
	}
	return nil
}

// switchboard.User returns the user with the given id.
func (db *DB) User(ctx context.Context, id string) (*switchboard.User, error) {
	return db.findUser(ctx, db.rdb, "id = ?", id)
}

// UserByLogin returns the user with the given login, compared
// case-insensitively.
func (db *DB) UserByLogin(ctx context.Context, login string) (*switchboard.User, error) {
	return db.findUser(ctx, db.rdb, "login = ?", strings.ToLower(strings.TrimSpace(login)))
}

// Users lists users ordered by login.
func (db *DB) Users(ctx context.Context, f switchboard.UserFilter) ([]*switchboard.User, string, error) {
	var where []string
	var args []any
	if f.IDs != nil {
		if len(f.IDs) == 0 {
			return []*switchboard.User{}, "", nil
		}
		where = append(where, "id IN ("+placeholders(len(f.IDs))+")")
		for _, id := range f.IDs {
			args = append(args, id)
		}
	}
	if f.RoleID != "" {
		where, args = append(where, "role_id = ?"), append(args, f.RoleID)
	}
	if f.Active != nil {
		where, args = append(where, "active = ?"), append(args, *f.Active)
	}
	if q := strings.TrimSpace(f.Query); q != "" {
		// LIKE is case-insensitive for ASCII letters in SQLite.
		pat := "%" + escapeLike(q) + "%"
		where, args = append(where, `(login LIKE ? ESCAPE '\' OR name LIKE ? ESCAPE '\')`), append(args, pat, pat)
	}
	if f.Cursor != "" {
		_, login, err := storecrypt.DecodeCursor(f.Cursor)
		if err != nil {
			return nil, "", err
		}
		where, args = append(where, "login > ?"), append(args, login)
	}
	limit := clampLimit(f.Limit)
	query := `SELECT ` + userColumns + ` FROM users`
	if len(where) > 0 {
		query += " WHERE " + strings.Join(where, " AND ")
	}
	query += " ORDER BY login LIMIT ?"
	args = append(args, limit+1)

	rows, err := db.rdb.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, "", fmt.Errorf("list users: %w", err)
	}
	defer rows.Close()
	users := []*switchboard.User{}
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, "", fmt.Errorf("list users: %w", err)
		}
		users = append(users, u)
	}
	if err := rows.Err(); err != nil {
		return nil, "", fmt.Errorf("list users: %w", err)
	}
	var next string
	if len(users) > limit {
		users = users[:limit]
		next = storecrypt.EncodeCursor(time.Time{}, users[limit-1].Login)
	}
	return users, next, nil
}

// UpdateUser applies upd. Deactivating the user or changing the password
// deletes the user's sessions in the same transaction.
func (db *DB) UpdateUser(ctx context.Context, id string, upd switchboard.UserUpdate) (*switchboard.User, error) {
	var out *switchboard.User
	err := db.write(ctx, func(ctx context.Context, tx *writeTx) error {
		u, err := db.findUser(ctx, tx, "id = ?", id)
		if err != nil {
			return err
		}
		now := db.now()
		endSessions := false
		if upd.Name != nil {
			u.Name = *upd.Name
		}
		if upd.RoleID != nil {
			if err := db.checkRole(ctx, tx, *upd.RoleID); err != nil {
				return err
			}
			u.RoleID = *upd.RoleID
		}
		if upd.Active != nil {
			u.Active = *upd.Active
			endSessions = endSessions || !*upd.Active
		}
		if upd.PasswordHash != nil {
			u.PasswordHash = *upd.PasswordHash
			u.PasswordChangedAt = now
			endSessions = true
		}
		u.UpdatedAt = now
		if _, err := tx.ExecContext(ctx, `UPDATE users SET name = ?, role_id = ?, active = ?, password_hash = ?,
			password_changed_at = ?, updated_at = ? WHERE id = ?`,
			u.Name, u.RoleID, u.Active, u.PasswordHash, micros(u.PasswordChangedAt), micros(u.UpdatedAt), u.ID); err != nil {
			return fmt.Errorf("update user: %w", err)
		}
		if endSessions {
			if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = ?`, u.ID); err != nil {
				return fmt.Errorf("delete user sessions: %w", err)
			}
		}
		out = u
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// CountUsers returns the number of users.
func (db *DB) CountUsers(ctx context.Context) (int, error) {
	var n int
	if err := db.rdb.QueryRowContext(ctx, `SELECT COUNT(*) FROM users`).Scan(&n); err != nil {
		return 0, fmt.Errorf("count users: %w", err)
	}
	return n, nil
}

// Roles.

const roleColumns = `id, name, description, permissions, channel_ids, built_in, created_at, updated_at`

// roleSelect is what scanRole reads: roleColumns and the two-factor flag
// (set with SetRoleRequireTwoFactor, see twofactor.go).
const roleSelect = roleColumns + `, require_two_factor`

func scanRole(row interface{ Scan(...any) error }) (*switchboard.Role, error) {
	var r switchboard.Role
	var perms, channels string
	var created, updated sql.NullInt64
	if err := row.Scan(&r.ID, &r.Name, &r.Description, &perms, &channels, &r.BuiltIn, &created, &updated, &r.RequireTwoFactor); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(perms), &r.Permissions); err != nil {
		return nil, fmt.Errorf("decode role permissions: %w", err)
	}
	if err := json.Unmarshal([]byte(channels), &r.ChannelIDs); err != nil {
		return nil, fmt.Errorf("decode role channels: %w", err)
	}
	if r.Permissions == nil {
		r.Permissions = []switchboard.Permission{}
	}
	if r.ChannelIDs == nil {
		r.ChannelIDs = []string{}
	}
	// The empty list is the stored form of "all channels".
	r.AllChannels = len(r.ChannelIDs) == 0
	r.CreatedAt, r.UpdatedAt = fromMicros(created), fromMicros(updated)
	return &r, nil
}

func validateRole(r *switchboard.Role) error {
	if strings.TrimSpace(r.Name) == "" {
		return switchboard.Errorf(switchboard.EInvalid, "Role name is required.")
	}
	for _, p := range r.Permissions {
		if !switchboard.ValidPermission(p) {
			return switchboard.Errorf(switchboard.EInvalid, "Unknown permission %q.", p)
		}
	}
	return r.ValidateChannels()
}

func roleJSON(r *switchboard.Role) (perms, channels string, err error) {
	p := r.Permissions
	if p == nil {
		p = []switchboard.Permission{}
	}
	c := r.ChannelIDs
	if c == nil {
		c = []string{}
	}
	pb, err := json.Marshal(p)
	if err != nil {
		return "", "", err
	}
	cb, err := json.Marshal(c)
	if err != nil {
		return "", "", err
	}
	return string(pb), string(cb), nil
}

// CreateRole stores a custom role.
func (db *DB) CreateRole(ctx context.Context, r *switchboard.Role) error {
	if err := validateRole(r); err != nil {
		return err
	}
	return db.write(ctx, func(ctx context.Context, tx *writeTx) error {
		c := *r
		c.Name = strings.TrimSpace(c.Name)
		c.BuiltIn = false
		if c.ID == "" {
			c.ID = switchboard.NewID()
		}
		c.Permissions = slices.Clone(c.Permissions)
		c.ChannelIDs = slices.Clone(c.ChannelIDs)
		if c.Permissions == nil {
			c.Permissions = []switchboard.Permission{}
		}
		if c.ChannelIDs == nil {
			c.ChannelIDs = []string{}
		}
		now := db.now()
		c.CreatedAt, c.UpdatedAt = now, now
		perms, channels, err := roleJSON(&c)
		if err != nil {
			return fmt.Errorf("encode role: %w", err)
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO roles (`+roleColumns+`) VALUES (?, ?, ?, ?, ?, 0, ?, ?)`,
			c.ID, c.Name, c.Description, perms, channels, micros(c.CreatedAt), micros(c.UpdatedAt))
		if isUnique(err) {
			return switchboard.Errorf(switchboard.EConflict, "Role name is already taken.")
		} else if err != nil {
			return fmt.Errorf("insert role: %w", err)
		}
		*r = c
		return nil
	})
}

func (db *DB) findRole(ctx context.Context, q querier, id string) (*switchboard.Role, error) {
	r, err := scanRole(q.QueryRowContext(ctx, `SELECT `+roleSelect+` FROM roles WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, switchboard.NotFound("Role")
	} else if err != nil {
		return nil, fmt.Errorf("get role: %w", err)
	}
	return r, nil
}

// Role returns one role.
func (db *DB) Role(ctx context.Context, id string) (*switchboard.Role, error) {
	return db.findRole(ctx, db.rdb, id)
}

// Roles returns every role: the built-in ones first, then by name.
func (db *DB) Roles(ctx context.Context) ([]*switchboard.Role, error) {
	rows, err := db.rdb.QueryContext(ctx, `SELECT `+roleSelect+` FROM roles ORDER BY built_in DESC, name, id`)
	if err != nil {
		return nil, fmt.Errorf("list roles: %w", err)
	}
	defer rows.Close()
	roles := []*switchboard.Role{}
	for rows.Next() {
		r, err := scanRole(rows)
		if err != nil {
			return nil, fmt.Errorf("list roles: %w", err)
		}
		roles = append(roles, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list roles: %w", err)
	}
	return roles, nil
}

// UpdateRole changes a custom role; built-in roles cannot be edited.
func (db *DB) UpdateRole(ctx context.Context, id string, upd switchboard.RoleUpdate) (*switchboard.Role, error) {
	var out *switchboard.Role
	err := db.write(ctx, func(ctx context.Context, tx *writeTx) error {
		r, err := db.findRole(ctx, tx, id)
		if err != nil {
			return err
		}
		if r.BuiltIn {
			return switchboard.Errorf(switchboard.EInvalid, "Built-in roles cannot be edited.")
		}
		if upd.Name != nil {
			r.Name = strings.TrimSpace(*upd.Name)
		}
		if upd.Description != nil {
			r.Description = *upd.Description
		}
		if upd.Permissions != nil {
			r.Permissions = slices.Clone(*upd.Permissions)
		}
		if upd.AllChannels != nil {
			r.AllChannels = *upd.AllChannels
			if r.AllChannels {
				r.ChannelIDs = []string{}
			}
		}
		if upd.ChannelIDs != nil {
			r.ChannelIDs = slices.Clone(*upd.ChannelIDs)
		}
		if err := validateRole(r); err != nil {
			return err
		}
		r.UpdatedAt = db.now()
		perms, channels, err := roleJSON(r)
		if err != nil {
			return fmt.Errorf("encode role: %w", err)
		}
		_, err = tx.ExecContext(ctx, `UPDATE roles SET name = ?, description = ?, permissions = ?, channel_ids = ?, updated_at = ? WHERE id = ?`,
			r.Name, r.Description, perms, channels, micros(r.UpdatedAt), r.ID)
		if isUnique(err) {
			return switchboard.Errorf(switchboard.EConflict, "Role name is already taken.")
		} else if err != nil {
			return fmt.Errorf("update role: %w", err)
		}
		if r.Permissions == nil {
			r.Permissions = []switchboard.Permission{}
		}
		if r.ChannelIDs == nil {
			r.ChannelIDs = []string{}
		}
		out = r
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// DeleteRole deletes a custom role that no user has.
func (db *DB) DeleteRole(ctx context.Context, id string) error {
	return db.write(ctx, func(ctx context.Context, tx *writeTx) error {
		r, err := db.findRole(ctx, tx, id)
		if err != nil {
			return err
		}
		if r.BuiltIn {
			return switchboard.Errorf(switchboard.EInvalid, "Built-in roles cannot be deleted.")
		}
		var inUse bool
		if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM users WHERE role_id = ?)`, id).Scan(&inUse); err != nil {
			return fmt.Errorf("check role use: %w", err)
		}
		if inUse {
			return switchboard.Errorf(switchboard.EConflict, "The role is still assigned to users.")
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM roles WHERE id = ?`, id); err != nil {
			return fmt.Errorf("delete role: %w", err)
		}
		return nil
	})
}

// Sessions.

const sessionColumns = `id, user_id, created_at, last_seen_at, expires_at, ip, user_agent`

// CreateSession stores s; s.ID is the hash of the session token.
func (db *DB) CreateSession(ctx context.Context, s *switchboard.Session) error {
	if s.ID == "" {
		return switchboard.Errorf(switchboard.EInvalid, "Session id is required.")
	}
	return db.write(ctx, func(ctx context.Context, tx *writeTx) error {
		if _, err := db.findUser(ctx, tx, "id = ?", s.UserID); err != nil {
			return err
		}
		c := *s
		now := db.now()
		if c.CreatedAt.IsZero() {
			c.CreatedAt = now
		}
		if c.LastSeenAt.IsZero() {
			c.LastSeenAt = c.CreatedAt
		}
		c.CreatedAt, c.LastSeenAt, c.ExpiresAt = utc(c.CreatedAt), utc(c.LastSeenAt), utc(c.ExpiresAt)
		_, err := tx.ExecContext(ctx, `INSERT INTO sessions (`+sessionColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			c.ID, c.UserID, micros(c.CreatedAt), micros(c.LastSeenAt), micros(c.ExpiresAt), c.IP, c.UserAgent)
		if isUnique(err) {
			return switchboard.Errorf(switchboard.EConflict, "Session already exists.")
		} else if err != nil {
			return fmt.Errorf("insert session: %w", err)
		}
		*s = c
		return nil
	})
}

// Session returns one session by token hash.
func (db *DB) Session(ctx context.Context, id string) (*switchboard.Session, error) {
	var s switchboard.Session
	var created, seen, expires sql.NullInt64
	err := db.rdb.QueryRowContext(ctx, `SELECT `+sessionColumns+` FROM sessions WHERE id = ?`, id).
		Scan(&s.ID, &s.UserID, &created, &seen, &expires, &s.IP, &s.UserAgent)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, switchboard.NotFound("Session")
	} else if err != nil {
		return nil, fmt.Errorf("get session: %w", err)
	}
	s.CreatedAt, s.LastSeenAt, s.ExpiresAt = fromMicros(created), fromMicros(seen), fromMicros(expires)
	return &s, nil
}

// TouchSession records activity at at. It never moves last_seen_at back.
func (db *DB) TouchSession(ctx context.Context, id string, at time.Time) error {
	return db.write(ctx, func(ctx context.Context, tx *writeTx) error {
		res, err := tx.ExecContext(ctx, `UPDATE sessions SET last_seen_at = MAX(last_seen_at, ?) WHERE id = ?`, micros(at), id)
		if err != nil {
			return fmt.Errorf("touch session: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return switchboard.NotFound("Session")
		}
		return nil
	})
}

// DeleteSession deletes one session; deleting a missing one is not an error.
func (db *DB) DeleteSession(ctx context.Context, id string) error {
	return db.write(ctx, func(ctx context.Context, tx *writeTx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE id = ?`, id); err != nil {
			return fmt.Errorf("delete session: %w", err)
		}
		return nil
	})
}

// DeleteUserSessions deletes every session of a user.
func (db *DB) DeleteUserSessions(ctx context.Context, userID string) error {
	return db.write(ctx, func(ctx context.Context, tx *writeTx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = ?`, userID); err != nil {
			return fmt.Errorf("delete user sessions: %w", err)
		}
		return nil
	})
}

// DeleteExpiredSessions deletes sessions idle since before idleBefore or past
// their absolute expiry at now, and returns how many.
func (db *DB) DeleteExpiredSessions(ctx context.Context, idleBefore, now time.Time) (int, error) {
	var n int64
	err := db.write(ctx, func(ctx context.Context, tx *writeTx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE last_seen_at < ? OR expires_at <= ?`, micros(idleBefore), micros(now))
		if err != nil {
			return fmt.Errorf("delete expired sessions: %w", err)
		}
		n, err = res.RowsAffected()
		return err
	})
	return int(n), err
}

// DeleteIdempotencyKeys implements [switchboard.Idempotency].
func (db *DB) DeleteIdempotencyKeys(ctx context.Context, before time.Time) (int, error) {
	var n int64
	err := db.write(ctx, func(ctx context.Context, tx *writeTx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM idempotency_keys WHERE created_at < ?`, micros(utc(before)))
		if err != nil {
			return fmt.Errorf("delete idempotency keys: %w", err)
		}
		n, err = res.RowsAffected()
		return err
	})
	return int(n), err
}

// Setup.

// PutSetupToken replaces any earlier setup token.
func (db *DB) PutSetupToken(ctx context.Context, t switchboard.SetupToken) error {
	if t.Hash == "" {
		return switchboard.Errorf(switchboard.EInvalid, "Setup token hash is required.")
	}
	return db.write(ctx, func(ctx context.Context, tx *writeTx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM setup_tokens`); err != nil {
			return fmt.Errorf("delete setup tokens: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO setup_tokens (hash, expires_at) VALUES (?, ?)`, t.Hash, micros(t.ExpiresAt)); err != nil {
			return fmt.Errorf("insert setup token: %w", err)
		}
		return nil
	})
}

// CurrentSetupToken returns the stored setup token.
func (db *DB) CurrentSetupToken(ctx context.Context) (switchboard.SetupToken, error) {
	var t switchboard.SetupToken
	var expires sql.NullInt64
	err := db.rdb.QueryRowContext(ctx, `SELECT hash, expires_at FROM setup_tokens LIMIT 1`).Scan(&t.Hash, &expires)
	if errors.Is(err, sql.ErrNoRows) {
		return t, switchboard.NotFound("Setup token")
	} else if err != nil {
		return t, fmt.Errorf("get setup token: %w", err)
	}
	t.ExpiresAt = fromMicros(expires)
	return t, nil
}

// CompleteSetup consumes a valid setup token and creates the first
// administrator, atomically.
func (db *DB) CompleteSetup(ctx context.Context, tokenHash string, now time.Time, admin *switchboard.User) error {
	return db.write(ctx, func(ctx context.Context, tx *writeTx) error {
		var expires sql.NullInt64
		err := tx.QueryRowContext(ctx, `SELECT expires_at FROM setup_tokens WHERE hash = ?`, tokenHash).Scan(&expires)
		if errors.Is(err, sql.ErrNoRows) {
			return switchboard.NotFound("Setup token")
		} else if err != nil {
			return fmt.Errorf("get setup token: %w", err)
		}
		if !now.Before(fromMicros(expires)) {
			return switchboard.NotFound("Setup token")
		}
		var users int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM users`).Scan(&users); err != nil {
			return fmt.Errorf("count users: %w", err)
		}
		if users > 0 {
			return switchboard.Errorf(switchboard.EConflict, "Setup is already complete.")
		}
		a := *admin
		a.RoleID = switchboard.RoleAdmin
		a.Active = true
		if err := db.createUser(ctx, tx, &a); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM setup_tokens`); err != nil {
			return fmt.Errorf("delete setup token: %w", err)
		}
		*admin = a
		return nil
	})
}
