package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/switchboardhq/switchboard"
)

// This file implements switchboard.TwoFactorStore.

var _ switchboard.TwoFactorStore = (*DB)(nil)

// PutTwoFactor replaces the user's enrolment with an unconfirmed one. The
// secret is sealed under a new data key; the old enrolment's key is
// destroyed in the same transaction.
func (db *DB) PutTwoFactor(ctx context.Context, tf *switchboard.TwoFactor) error {
	return db.write(ctx, func(ctx context.Context, tx *writeTx) error {
		var ok bool
		if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM users WHERE id = ?)`, tf.UserID).Scan(&ok); err != nil {
			return fmt.Errorf("put two-factor: %w", err)
		} else if !ok {
			return switchboard.NotFound("User")
		}
		if err := db.deleteTwoFactor(ctx, tx, tf.UserID); err != nil {
			return err
		}
		keyID, err := db.createKey(ctx, tx)
		if err != nil {
			return err
		}
		sealed, err := db.codec.Seal(ctx, keyID, "user_two_factor", "secret", tf.UserID, tf.Secret)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO user_two_factor (user_id, key_id, secret, confirmed, last_step, created_at)
			VALUES (?, ?, ?, 0, 0, ?)`, tf.UserID, keyID, sealed, micros(tf.CreatedAt)); err != nil {
			return fmt.Errorf("insert two-factor: %w", err)
		}
		return nil
	})
}

// TwoFactor returns the user's enrolment with its secret opened.
func (db *DB) TwoFactor(ctx context.Context, userID string) (*switchboard.TwoFactor, error) {
	tf := &switchboard.TwoFactor{UserID: userID}
	var keyID string
	var sealed []byte
	var created, confirmed sql.NullInt64
	err := db.rdb.QueryRowContext(ctx, `SELECT key_id, secret, confirmed, last_step, created_at, confirmed_at,
		(SELECT count(*) FROM user_recovery_codes r WHERE r.user_id = t.user_id AND r.used_at IS NULL)
		FROM user_two_factor t WHERE user_id = ?`, userID).
		Scan(&keyID, &sealed, &tf.Confirmed, &tf.LastStep, &created, &confirmed, &tf.RecoveryCodesLeft)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, switchboard.NotFound("Two-factor enrolment")
	} else if err != nil {
		return nil, fmt.Errorf("get two-factor: %w", err)
	}
	if tf.Secret, err = db.codec.Open(ctx, keyID, "user_two_factor", "secret", userID, sealed); err != nil {
		return nil, err
	}
	tf.CreatedAt, tf.ConfirmedAt = fromMicros(created), fromMicros(confirmed)
	return tf, nil
}

// ConfirmTwoFactor turns the enrolment on and stores the recovery codes.
func (db *DB) ConfirmTwoFactor(ctx context.Context, userID string, step int64, hashes []string, at time.Time) error {
	return db.write(ctx, func(ctx context.Context, tx *writeTx) error {
		var confirmed bool
		err := tx.QueryRowContext(ctx, `SELECT confirmed FROM user_two_factor WHERE user_id = ?`, userID).Scan(&confirmed)
		if errors.Is(err, sql.ErrNoRows) {
			return switchboard.NotFound("Two-factor enrolment")
		} else if err != nil {
			return fmt.Errorf("confirm two-factor: %w", err)
		}
		if confirmed {
			return switchboard.Errorf(switchboard.EConflict, "Two-factor sign-in is already on.")
		}
		if _, err := tx.ExecContext(ctx, `UPDATE user_two_factor SET confirmed = 1, last_step = ?, confirmed_at = ? WHERE user_id = ?`,
			step, micros(at), userID); err != nil {
			return fmt.Errorf("confirm two-factor: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM user_recovery_codes WHERE user_id = ?`, userID); err != nil {
			return fmt.Errorf("replace recovery codes: %w", err)
		}
		for _, h := range hashes {
			if _, err := tx.ExecContext(ctx, `INSERT INTO user_recovery_codes (user_id, hash) VALUES (?, ?)`, userID, h); err != nil {
				return fmt.Errorf("insert recovery code: %w", err)
			}
		}
		return nil
	})
}

// UseTwoFactorStep records step if it is newer than the last used one.
func (db *DB) UseTwoFactorStep(ctx context.Context, userID string, step int64) error {
	return db.write(ctx, func(ctx context.Context, tx *writeTx) error {
		res, err := tx.ExecContext(ctx, `UPDATE user_two_factor SET last_step = ? WHERE user_id = ? AND confirmed = 1 AND last_step < ?`,
			step, userID, step)
		if err != nil {
			return fmt.Errorf("use two-factor step: %w", err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return switchboard.Errorf(switchboard.EConflict, "This code was already used.")
		}
		return nil
	})
}

// UseRecoveryCode marks an unused recovery code used.
func (db *DB) UseRecoveryCode(ctx context.Context, userID, hash string, at time.Time) error {
	return db.write(ctx, func(ctx context.Context, tx *writeTx) error {
		res, err := tx.ExecContext(ctx, `UPDATE user_recovery_codes SET used_at = ? WHERE user_id = ? AND hash = ? AND used_at IS NULL`,
			micros(at), userID, hash)
		if err != nil {
			return fmt.Errorf("use recovery code: %w", err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return switchboard.NotFound("Recovery code")
		}
		return nil
	})
}

// DeleteTwoFactor removes the enrolment and destroys its data key.
func (db *DB) DeleteTwoFactor(ctx context.Context, userID string) error {
	return db.write(ctx, func(ctx context.Context, tx *writeTx) error {
		return db.deleteTwoFactor(ctx, tx, userID)
	})
}

func (db *DB) deleteTwoFactor(ctx context.Context, tx *writeTx, userID string) error {
	var keyID string
	err := tx.QueryRowContext(ctx, `SELECT key_id FROM user_two_factor WHERE user_id = ?`, userID).Scan(&keyID)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("delete two-factor: %w", err)
	}
	if err == nil {
		if _, err := tx.ExecContext(ctx, `UPDATE data_keys SET wrapped = NULL, destroyed_at = ? WHERE id = ?`, micros(db.now()), keyID); err != nil {
			return fmt.Errorf("destroy two-factor key: %w", err)
		}
		tx.finally(func(committed bool) {
			if committed {
				db.codec.Keys.Forget(keyID)
			}
		})
	}
	for _, q := range []string{`DELETE FROM user_two_factor WHERE user_id = ?`, `DELETE FROM user_recovery_codes WHERE user_id = ?`} {
		if _, err := tx.ExecContext(ctx, q, userID); err != nil {
			return fmt.Errorf("delete two-factor: %w", err)
		}
	}
	return nil
}

// RoleHasTwoFactor reports whether an active user with the role has
// confirmed two-factor sign-in or a passkey.
func (db *DB) RoleHasTwoFactor(ctx context.Context, roleID string) (bool, error) {
	var ok bool
	if err := db.rdb.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM user_two_factor t JOIN users u ON u.id = t.user_id
		WHERE u.role_id = ? AND u.active = 1 AND t.confirmed = 1)
		OR EXISTS (SELECT 1 FROM user_passkeys p JOIN users u ON u.id = p.user_id WHERE u.role_id = ? AND u.active = 1)`,
		roleID, roleID).Scan(&ok); err != nil {
		return false, fmt.Errorf("role two-factor: %w", err)
	}
	return ok, nil
}

// SetRoleRequireTwoFactor sets a role's require_two_factor flag.
func (db *DB) SetRoleRequireTwoFactor(ctx context.Context, roleID string, on bool, at time.Time) (*switchboard.Role, error) {
	var out *switchboard.Role
	err := db.write(ctx, func(ctx context.Context, tx *writeTx) error {
		res, err := tx.ExecContext(ctx, `UPDATE roles SET require_two_factor = ?, updated_at = ? WHERE id = ?`, on, micros(at), roleID)
		if err != nil {
			return fmt.Errorf("set role two-factor: %w", err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return switchboard.NotFound("Role")
		}
		out, err = db.findRole(ctx, tx, roleID)
		return err
	})
	return out, err
}
