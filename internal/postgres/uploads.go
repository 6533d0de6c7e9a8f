package postgres

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
	tag, err := tx.Exec(ctx, `UPDATE media SET message_id = $1 WHERE id = $2 AND conversation_id = $3 AND message_id IS NULL`,
		m.ID, m.Content.Media.ID, m.ConversationID)
	if err != nil {
		return fmt.Errorf("attach upload: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return switchboard.Errorf(switchboard.EInvalid, "Unknown file: upload it to this conversation first.")
	}
	return nil
}

// DeleteUnsentUploads deletes up to limit media rows stored before before
// that no message uses (uploads that were never sent) and returns their
// blob names.
func (db *DB) DeleteUnsentUploads(ctx context.Context, before time.Time, limit int) ([]string, error) {
	ids, err := collectIDs(ctx, db.pool, `DELETE FROM media WHERE id IN (
		SELECT x.id FROM media x WHERE x.created_at < $1
		AND NOT EXISTS (SELECT 1 FROM messages m WHERE m.id = x.message_id) LIMIT $2) RETURNING id`, utc(before), limit)
	if err != nil {
		return nil, fmt.Errorf("delete unsent uploads: %w", err)
	}
	return ids, nil
}
