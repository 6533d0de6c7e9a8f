package sqlite

import (
	"context"
	"fmt"
	"time"

	"github.com/switchboardhq/switchboard"
)

// attachUpload marks the upload m sends as sent, in m's transaction: its
// media row names m, so it is no longer an unsent upload that
// DeleteUnsentUploads expires, and it cannot be sent a second time.
func attachUpload(ctx context.Context, tx querier, m *switchboard.Message) error {
	if m.Content.Media == nil || m.Content.Media.ID == "" {
		return nil
	}
	res, err := tx.ExecContext(ctx, `UPDATE media SET message_id = ? WHERE id = ? AND conversation_id = ? AND message_id IS NULL`,
		m.ID, m.Content.Media.ID, m.ConversationID)
	if err != nil {
		return fmt.Errorf("attach upload: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("attach upload: %w", err)
	} else if n == 0 {
		return switchboard.Errorf(switchboard.EInvalid, "Unknown file: upload it to this conversation first.")
	}
	return nil
}

// DeleteUnsentUploads deletes up to limit media rows stored before before
// that no message uses (uploads that were never sent) and returns their
// blob names.
func (db *DB) DeleteUnsentUploads(ctx context.Context, before time.Time, limit int) ([]string, error) {
	var ids []string
	err := db.write(ctx, func(ctx context.Context, tx *writeTx) error {
		var err error
		ids, err = queryIDs(ctx, tx, `SELECT x.id FROM media x WHERE x.created_at < ?
			AND NOT EXISTS (SELECT 1 FROM messages m WHERE m.id = x.message_id) LIMIT ?`, micros(utc(before)), limit)
		if err != nil {
			return fmt.Errorf("select unsent uploads: %w", err)
		}
		if len(ids) == 0 {
			return nil
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM media WHERE id IN (`+placeholders(len(ids))+`)`, anys(ids)...); err != nil {
			return fmt.Errorf("delete unsent uploads: %w", err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return ids, nil
}
