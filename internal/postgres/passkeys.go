package postgres

import (
	"context"
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
	c := *p
	if c.ID == "" {
		c.ID = switchboard.NewID()
	}
	if c.CreatedAt.IsZero() {
		c.CreatedAt = db.now()
	}
	c.CreatedAt = utc(c.CreatedAt)
	if !c.LastUsedAt.IsZero() {
		c.LastUsedAt = utc(c.LastUsedAt)
	}
	aaguid := c.AAGUID
	if aaguid == nil {
		aaguid = []byte{}
	}
	_, err := db.pool.Exec(ctx, `INSERT INTO user_passkeys (`+passkeyColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
		c.ID, c.UserID, c.Name, c.CredentialID, c.PublicKey, int64(c.SignCount), aaguid, strings.Join(c.Transports, ","),
		c.BackupEligible, c.BackupState, c.CreatedAt, nullTime(c.LastUsedAt))
	switch code, constraint := pgError(err); {
	case err == nil:
	case code == uniqueViolation:
		return switchboard.Errorf(switchboard.EConflict, "This passkey is already registered.")
	case code == foreignKeyViolation && constraint == "user_passkeys_user_id_fkey":
		return switchboard.NotFound("User")
	default:
		return fmt.Errorf("insert passkey: %w", err)
	}
	*p = c
	return nil
}

// Passkeys lists the user's passkeys, oldest first.
func (db *DB) Passkeys(ctx context.Context, userID string) ([]*switchboard.Passkey, error) {
	rows, err := db.pool.Query(ctx, `SELECT `+passkeyColumns+` FROM user_passkeys WHERE user_id = $1 ORDER BY created_at, id`, userID)
	if err != nil {
		return nil, fmt.Errorf("list passkeys: %w", err)
	}
	defer rows.Close()
	out := []*switchboard.Passkey{}
	for rows.Next() {
		p := &switchboard.Passkey{}
		var count int64
		var transports string
		var used *time.Time
		if err := rows.Scan(&p.ID, &p.UserID, &p.Name, &p.CredentialID, &p.PublicKey, &count, &p.AAGUID, &transports,
			&p.BackupEligible, &p.BackupState, &p.CreatedAt, &used); err != nil {
			return nil, fmt.Errorf("scan passkey: %w", err)
		}
		p.SignCount = uint32(count)
		if transports != "" {
			p.Transports = strings.Split(transports, ",")
		}
		p.CreatedAt, p.LastUsedAt = p.CreatedAt.UTC(), fromNull(used)
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list passkeys: %w", err)
	}
	return out, nil
}

// UsePasskey records a use if the sign count moved forward (or both the
// stored and the new count are zero). The conditional UPDATE is atomic.
func (db *DB) UsePasskey(ctx context.Context, userID, id string, signCount uint32, backupState bool, at time.Time) error {
	n := int64(signCount)
	tag, err := db.pool.Exec(ctx, `UPDATE user_passkeys SET sign_count = $3, backup_state = $4, last_used_at = $5
		WHERE id = $1 AND user_id = $2 AND (sign_count < $3 OR (sign_count = 0 AND $3 = 0))`,
		id, userID, n, backupState, utc(at))
	if err != nil {
		return fmt.Errorf("use passkey: %w", err)
	}
	if tag.RowsAffected() == 1 {
		return nil
	}
	var ok bool
	if err := db.pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM user_passkeys WHERE id = $1 AND user_id = $2)`, id, userID).Scan(&ok); err != nil {
		return fmt.Errorf("use passkey: %w", err)
	}
	if !ok {
		return switchboard.NotFound("Passkey")
	}
	return switchboard.Errorf(switchboard.EConflict, "The passkey's signature counter went backwards.")
}

// DeletePasskey removes one of the user's passkeys.
func (db *DB) DeletePasskey(ctx context.Context, userID, id string) error {
	tag, err := db.pool.Exec(ctx, `DELETE FROM user_passkeys WHERE id = $1 AND user_id = $2`, id, userID)
	if err != nil {
		return fmt.Errorf("delete passkey: %w", err)
	}
	if tag.RowsAffected() != 1 {
		return switchboard.NotFound("Passkey")
	}
	return nil
}

// DeletePasskeys removes all of the user's passkeys.
func (db *DB) DeletePasskeys(ctx context.Context, userID string) error {
	if _, err := db.pool.Exec(ctx, `DELETE FROM user_passkeys WHERE user_id = $1`, userID); err != nil {
		return fmt.Errorf("delete passkeys: %w", err)
	}
	return nil
}
