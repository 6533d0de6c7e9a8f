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
	"github.com/switchboardhq/switchboard/internal/storekit"
)

// querier is what reads need: the read pool, or a write job's transaction
// (so a job reads its own writes).
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// placeholders returns "?, ?, ?" for n arguments.
func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
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
	login := switchboard.NormalizeLogin(u.Login)
	if login == "" {
		return switchboard.ErrLoginRequired
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
	// search_key is the folded login and name that Users searches.
	_, err := tx.ExecContext(ctx, `INSERT INTO users (`+userColumns+`, search_key) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		c.ID, c.Login, c.Name, c.RoleID, c.Active, c.PasswordHash, micros(c.PasswordChangedAt), micros(c.CreatedAt), micros(c.UpdatedAt),
		storekit.UserSearchKey(c.Login, c.Name))
	if isPrimaryKey(err) {
		return switchboard.ErrUserExists
	} else if isUnique(err) {
		return switchboard.ErrLoginTaken
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
		return switchboard.ErrUnknownRole
	}
	return nil
}

// User returns the user with the given id.
func (db *DB) User(ctx context.Context, id string) (*switchboard.User, error) {
	return db.findUser(ctx, db.rdb, "id = ?", id)
}

// UserByLogin returns the user with the given login, compared
// case-insensitively.
func (db *DB) UserByLogin(ctx context.Context, login string) (*switchboard.User, error) {
	return db.findUser(ctx, db.rdb, "login = ?", switchboard.NormalizeLogin(login))
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
	if f.RoleIDs != nil {
		if len(f.RoleIDs) == 0 {
			return []*switchboard.User{}, "", nil
		}
		where = append(where, "role_id IN ("+placeholders(len(f.RoleIDs))+")")
		for _, id := range f.RoleIDs {
			args = append(args, id)
		}
	}
	if f.Active != nil {
		where, args = append(where, "active = ?"), append(args, *f.Active)
	}
	if pat, ok := storekit.ContainsPattern(f.Query); ok {
		// The key is folded already (internal/fold); LIKE's own ASCII
		// case folding changes nothing on it.
		where, args = append(where, `search_key LIKE ? ESCAPE '\'`), append(args, pat)
	}
	if f.Cursor != "" {
		_, login, err := storecrypt.DecodeCursor(f.Cursor)
		if err != nil {
			return nil, "", err
		}
		where, args = append(where, "login > ?"), append(args, login)
	}
	limit := storekit.ClampLimit(f.Limit)
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
	users, err := storekit.Collect(rows, func() (*switchboard.User, error) { return scanUser(rows) })
	if err != nil {
		return nil, "", fmt.Errorf("list users: %w", err)
	}
	users, next := storekit.Page(users, limit, storekit.UserCursor)
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
		if upd.RoleID != nil {
			if err := db.checkRole(ctx, tx, *upd.RoleID); err != nil {
				return err
			}
		}
		endSessions := u.Apply(upd, db.now())
		if _, err := tx.ExecContext(ctx, `UPDATE users SET name = ?, role_id = ?, active = ?, password_hash = ?,
			password_changed_at = ?, updated_at = ?, search_key = ? WHERE id = ?`,
			u.Name, u.RoleID, u.Active, u.PasswordHash, micros(u.PasswordChangedAt), micros(u.UpdatedAt),
			storekit.UserSearchKey(u.Login, u.Name), u.ID); err != nil {
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
	if err := r.Validate(); err != nil {
		return err
	}
	return db.write(ctx, func(ctx context.Context, tx *writeTx) error {
		c := *r
		c.BuiltIn = false
		if c.ID == "" {
			c.ID = switchboard.NewID()
		}
		c.Permissions = slices.Clone(c.Permissions)
		c.ChannelIDs = slices.Clone(c.ChannelIDs)
		c.Normalize()
		now := db.now()
		c.CreatedAt, c.UpdatedAt = now, now
		perms, channels, err := roleJSON(&c)
		if err != nil {
			return fmt.Errorf("encode role: %w", err)
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO roles (`+roleColumns+`) VALUES (?, ?, ?, ?, ?, 0, ?, ?)`,
			c.ID, c.Name, c.Description, perms, channels, micros(c.CreatedAt), micros(c.UpdatedAt))
		if isPrimaryKey(err) {
			return switchboard.ErrRoleExists
		} else if isUnique(err) {
			return switchboard.ErrRoleNameTaken
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
	roles, err := storekit.Collect(rows, func() (*switchboard.Role, error) { return scanRole(rows) })
	if err != nil {
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
			return switchboard.ErrBuiltinRoleEdit
		}
		r.Apply(upd)
		if err := r.Validate(); err != nil {
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
			return switchboard.ErrRoleNameTaken
		} else if err != nil {
			return fmt.Errorf("update role: %w", err)
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
			return switchboard.ErrBuiltinRoleDel
		}
		var inUse bool
		if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM users WHERE role_id = ?)`, id).Scan(&inUse); err != nil {
			return fmt.Errorf("check role use: %w", err)
		}
		if inUse {
			return switchboard.ErrRoleInUse
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
		res, err := tx.ExecContext(ctx, `DELETE FROM idempotency_keys WHERE created_at < ? AND user_id <> ''`, micros(utc(before)))
		if err != nil {
			return fmt.Errorf("delete idempotency keys: %w", err)
		}
		n, err = res.RowsAffected()
		return err
	})
	return int(n), err
}

// Setup.

// PutSetupToken adds a setup token and deletes the expired ones.
func (db *DB) PutSetupToken(ctx context.Context, t switchboard.SetupToken) error {
	if err := t.Validate(); err != nil {
		return err
	}
	return db.write(ctx, func(ctx context.Context, tx *writeTx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM setup_tokens WHERE expires_at <= ?`, micros(db.now())); err != nil {
			return fmt.Errorf("delete setup tokens: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO setup_tokens (hash, expires_at) VALUES (?, ?)`, t.Hash, micros(t.ExpiresAt)); err != nil {
			return fmt.Errorf("insert setup token: %w", err)
		}
		return nil
	})
}

// SetupTokenByHash returns the stored setup token with hash.
func (db *DB) SetupTokenByHash(ctx context.Context, hash string) (switchboard.SetupToken, error) {
	var t switchboard.SetupToken
	var expires sql.NullInt64
	err := db.rdb.QueryRowContext(ctx, `SELECT hash, expires_at FROM setup_tokens WHERE hash = ?`, hash).Scan(&t.Hash, &expires)
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

// fillSearchKeys computes users.search_key for the rows that have none:
// users from before migration 0006 and users a restore loaded (the dump
// carries no derived columns). The key is Go's fold rule, so SQL cannot
// compute it.
func fillSearchKeys(ctx context.Context, q querier) error {
	rows, err := q.QueryContext(ctx, `SELECT id, login, name FROM users WHERE search_key = ''`)
	if err != nil {
		return fmt.Errorf("fill user search keys: %w", err)
	}
	var users []switchboard.User
	for rows.Next() {
		var u switchboard.User
		if err := rows.Scan(&u.ID, &u.Login, &u.Name); err != nil {
			rows.Close()
			return fmt.Errorf("fill user search keys: %w", err)
		}
		users = append(users, u)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("fill user search keys: %w", err)
	}
	for _, u := range users {
		if _, err := q.ExecContext(ctx, `UPDATE users SET search_key = ? WHERE id = ?`, storekit.UserSearchKey(u.Login, u.Name), u.ID); err != nil {
			return fmt.Errorf("fill user search keys: %w", err)
		}
	}
	return nil
}
