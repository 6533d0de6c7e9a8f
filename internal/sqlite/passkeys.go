package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/switchboardhq/switchboard"
)

// This file implements switchboard.PasskeyStore.

var _ switchboard.PasskeyStore = (*DB)(nil)

const passkeyColumns = `id, user_id, name, credential_id, public_key, sign_count, aaguid, transports,
	backup_eligible, backup_state, created_at, last_used_at`

// CreatePasskey stores a passkey of an existing user.
func (db *DB) CreatePasskey(ctx context.Context, p *switchboard.Passkey) error {
	if len(p.CredentialID) == 0 || len(p.PublicKey) == 0 {
		return switchboard.Errorf(switchboard.EInvalid, "Credential id and public key are required.")
	}
	return db.write(ctx, func(ctx context.Context, tx *writeTx) error {
		if _, err := db.findUser(ctx, tx, "id = ?", p.UserID); err != nil {
			return err
		}
		c := *p
		if c.ID == "" {
			c.ID = switchboard.NewID()
		}
		if c.CreatedAt.IsZero() {
			c.CreatedAt = db.now()
		}
		c.CreatedAt, c.LastUsedAt = utc(c.CreatedAt), utc(c.LastUsedAt)
		aaguid := c.AAGUID
		if aaguid == nil {
			aaguid = []byte{}
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO user_passkeys (`+passkeyColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			c.ID, c.UserID, c.Name, c.CredentialID, c.PublicKey, int64(c.SignCount), aaguid, strings.Join(c.Transports, ","),
			c.BackupEligible, c.BackupState, micros(c.CreatedAt), micros(c.LastUsedAt))
		if isUnique(err) {
			return switchboard.Errorf(switchboard.EConflict, "This passkey is already registered.")
		} else if err != nil {
			return fmt.Errorf("insert passkey: %w", err)
		}
		*p = c
		return nil
	})
}

// Passkeys lists the user's passkeys, oldest first.
func (db *DB) Passkeys(ctx context.Context, userID string) ([]*switchboard.Passkey, error) {
	rows, err := db.rdb.QueryContext(ctx, `SELECT `+passkeyColumns+` FROM user_passkeys WHERE user_id = ? ORDER BY created_at, id`, userID)
	if err != nil {
		return nil, fmt.Errorf("list passkeys: %w", err)
	}
	defer rows.Close()
	out := []*switchboard.Passkey{}
	for rows.Next() {
		p := &switchboard.Passkey{}
		var count int64
		var transports string
		var created, used sql.NullInt64
		if err := rows.Scan(&p.ID, &p.UserID, &p.Name, &p.CredentialID, &p.PublicKey, &count, &p.AAGUID, &transports,
			&p.BackupEligible, &p.BackupState, &created, &used); err != nil {
			return nil, fmt.Errorf("scan passkey: %w", err)
		}
		p.SignCount = uint32(count)
		if transports != "" {
			p.Transports = strings.Split(transports, ",")
		}
		p.CreatedAt, p.LastUsedAt = fromMicros(created), fromMicros(used)
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list passkeys: %w", err)
	}
	return out, nil
}

// UsePasskey records a use if the sign count moved forward (or both the
// stored and the new count are zero).
func (db *DB) UsePasskey(ctx context.Context, userID, id string, signCount uint32, backupState bool, at time.Time) error {
	return db.write(ctx, func(ctx context.Context, tx *writeTx) error {
		n := int64(signCount)
		res, err := tx.ExecContext(ctx, `UPDATE user_passkeys SET sign_count = ?, backup_state = ?, last_used_at = ?
			WHERE id = ? AND user_id = ? AND (sign_count < ? OR (sign_count = 0 AND ? = 0))`,
			n, backupState, micros(at), id, userID, n, n)
		if err != nil {
			return fmt.Errorf("use passkey: %w", err)
		}
		if k, _ := res.RowsAffected(); k == 1 {
			return nil
		}
		var ok bool
		if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM user_passkeys WHERE id = ? AND user_id = ?)`, id, userID).Scan(&ok); err != nil {
			return fmt.Errorf("use passkey: %w", err)
		}
		if !ok {
			return switchboard.NotFound("Passkey")
		}
		return switchboard.Errorf(switchboard.EConflict, "The passkey's signature counter went backwards.")
	})
}

// DeletePasskey removes one of the user's passkeys.
func (db *DB) DeletePasskey(ctx context.Context, userID, id string) error {
	return db.write(ctx, func(ctx context.Context, tx *writeTx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM user_passkeys WHERE id = ? AND user_id = ?`, id, userID)
		if err != nil {
			return fmt.Errorf("delete passkey: %w", err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return switchboard.NotFound("Passkey")
		}
		return nil
	})
}

// DeletePasskeys removes all of the user's passkeys.
func (db *DB) DeletePasskeys(ctx context.Context, userID string) error {
	return db.write(ctx, func(ctx context.Context, tx *writeTx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM user_passkeys WHERE user_id = ?`, userID); err != nil {
			return fmt.Errorf("delete passkeys: %w", err)
		}
		return nil
	})
}
