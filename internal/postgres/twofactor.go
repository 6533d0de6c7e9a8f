package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/switchboardhq/switchboard"
)

// This file implements switchboard.TwoFactorStore.

var _ switchboard.TwoFactorStore = (*DB)(nil)

// PutTwoFactor replaces the user's enrolment with an unconfirmed one. The
// secret is sealed under a new data key; the old enrolment's key is
// destroyed in the same transaction.
func (db *DB) PutTwoFactor(ctx context.Context, tf *switchboard.TwoFactor) error {
	return db.withTx(ctx, func(tx *txn) error {
		var ok bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM users WHERE id = $1)`, tf.UserID).Scan(&ok); err != nil {
			return fmt.Errorf("put two-factor: %w", err)
		} else if !ok {
			return switchboard.NotFound("User")
		}
		if err := db.deleteTwoFactor(ctx, tx, tf.UserID); err != nil {
			return err
		}
		keyID, err := db.newDataKey(ctx, tx, db.now())
		if err != nil {
			return err
		}
		sealed, err := db.codec.Seal(ctx, keyID, "user_two_factor", "secret", tf.UserID, tf.Secret)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO user_two_factor (user_id, key_id, secret, confirmed, last_step, created_at)
			VALUES ($1, $2, $3, false, 0, $4)`, tf.UserID, keyID, sealed, utc(tf.CreatedAt)); err != nil {
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
	var confirmedAt *time.Time
	err := db.pool.QueryRow(ctx, `SELECT key_id, secret, confirmed, last_step, created_at, confirmed_at,
		(SELECT count(*) FROM user_recovery_codes r WHERE r.user_id = t.user_id AND r.used_at IS NULL)
		FROM user_two_factor t WHERE user_id = $1`, userID).
		Scan(&keyID, &sealed, &tf.Confirmed, &tf.LastStep, &tf.CreatedAt, &confirmedAt, &tf.RecoveryCodesLeft)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, switchboard.NotFound("Two-factor enrolment")
	} else if err != nil {
		return nil, fmt.Errorf("get two-factor: %w", err)
	}
	if tf.Secret, err = db.codec.Open(ctx, keyID, "user_two_factor", "secret", userID, sealed); err != nil {
		return nil, err
	}
	tf.CreatedAt = tf.CreatedAt.UTC()
	if confirmedAt != nil {
		tf.ConfirmedAt = confirmedAt.UTC()
	}
	return tf, nil
}

// ConfirmTwoFactor turns the enrolment on and stores the recovery codes.
func (db *DB) ConfirmTwoFactor(ctx context.Context, userID string, step int64, hashes []string, at time.Time) error {
	return db.withTx(ctx, func(tx *txn) error {
		var confirmed bool
		err := tx.QueryRow(ctx, `SELECT confirmed FROM user_two_factor WHERE user_id = $1 FOR UPDATE`, userID).Scan(&confirmed)
		if errors.Is(err, pgx.ErrNoRows) {
			return switchboard.NotFound("Two-factor enrolment")
		} else if err != nil {
			return fmt.Errorf("confirm two-factor: %w", err)
		}
		if confirmed {
			return switchboard.Errorf(switchboard.EConflict, "Two-factor sign-in is already on.")
		}
		if _, err := tx.Exec(ctx, `UPDATE user_two_factor SET confirmed = true, last_step = $2, confirmed_at = $3 WHERE user_id = $1`,
			userID, step, utc(at)); err != nil {
			return fmt.Errorf("confirm two-factor: %w", err)
		}
		if _, err := tx.Exec(ctx, `DELETE FROM user_recovery_codes WHERE user_id = $1`, userID); err != nil {
			return fmt.Errorf("replace recovery codes: %w", err)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO user_recovery_codes (user_id, hash) SELECT $1, unnest($2::text[])`, userID, hashes); err != nil {
			return fmt.Errorf("insert recovery codes: %w", err)
		}
		return nil
	})
}

// UseTwoFactorStep records step if it is newer than the last used one. The
// conditional UPDATE is atomic: of two concurrent uses of one step, the
// second re-reads the row after the first commits and changes nothing.
func (db *DB) UseTwoFactorStep(ctx context.Context, userID string, step int64) error {
	tag, err := db.pool.Exec(ctx, `UPDATE user_two_factor SET last_step = $2 WHERE user_id = $1 AND confirmed AND last_step < $2`, userID, step)
	if err != nil {
		return fmt.Errorf("use two-factor step: %w", err)
	}
	if tag.RowsAffected() != 1 {
		return switchboard.Errorf(switchboard.EConflict, "This code was already used.")
	}
	return nil
}

// UseRecoveryCode marks an unused recovery code used.
func (db *DB) UseRecoveryCode(ctx context.Context, userID, hash string, at time.Time) error {
	tag, err := db.pool.Exec(ctx, `UPDATE user_recovery_codes SET used_at = $3 WHERE user_id = $1 AND hash = $2 AND used_at IS NULL`,
		userID, hash, utc(at))
	if err != nil {
		return fmt.Errorf("use recovery code: %w", err)
	}
	if tag.RowsAffected() != 1 {
		return switchboard.NotFound("Recovery code")
	}
	return nil
}

// DeleteTwoFactor removes the enrolment and destroys its data key.
func (db *DB) DeleteTwoFactor(ctx context.Context, userID string) error {
	return db.withTx(ctx, func(tx *txn) error { return db.deleteTwoFactor(ctx, tx, userID) })
}

func (db *DB) deleteTwoFactor(ctx context.Context, tx *txn, userID string) error {
	var keyID string
	err := tx.QueryRow(ctx, `DELETE FROM user_two_factor WHERE user_id = $1 RETURNING key_id`, userID).Scan(&keyID)
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("delete two-factor: %w", err)
	}
	if err == nil {
		if _, err := tx.Exec(ctx, `UPDATE data_keys SET wrapped = NULL, destroyed_at = $2 WHERE id = $1`, keyID, db.now()); err != nil {
			return fmt.Errorf("destroy two-factor key: %w", err)
		}
		db.keys.Forget(keyID)
	}
	if _, err := tx.Exec(ctx, `DELETE FROM user_recovery_codes WHERE user_id = $1`, userID); err != nil {
		return fmt.Errorf("delete recovery codes: %w", err)
	}
	return nil
}

// RoleHasTwoFactor reports whether an active user with the role has
// confirmed two-factor sign-in or a passkey.
func (db *DB) RoleHasTwoFactor(ctx context.Context, roleID string) (bool, error) {
	var ok bool
	if err := db.pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM user_two_factor t JOIN users u ON u.id = t.user_id
		WHERE u.role_id = $1 AND u.active AND t.confirmed)
		OR EXISTS (SELECT 1 FROM user_passkeys p JOIN users u ON u.id = p.user_id WHERE u.role_id = $1 AND u.active)`, roleID).Scan(&ok); err != nil {
		return false, fmt.Errorf("role two-factor: %w", err)
	}
	return ok, nil
}

// SetRoleRequireTwoFactor sets a role's require_two_factor flag.
func (db *DB) SetRoleRequireTwoFactor(ctx context.Context, roleID string, on bool, at time.Time) (*switchboard.Role, error) {
	r, err := scanRole(db.pool.QueryRow(ctx, `UPDATE roles SET require_two_factor = $2, updated_at = $3 WHERE id = $1 RETURNING `+roleSelect,
		roleID, on, utc(at)))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, switchboard.NotFound("Role")
	} else if err != nil {
		return nil, fmt.Errorf("set role two-factor: %w", err)
	}
	return r, nil
}
