package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/internal/storekit"
)

var (
	_ switchboard.ContactStore   = (*DB)(nil)
	_ switchboard.RetentionStore = (*DB)(nil)
)

// ContactConversations implements [switchboard.ContactStore].
func (db *DB) ContactConversations(ctx context.Context, contactID string) (*switchboard.Contact, []*switchboard.Conversation, error) {
	var ct switchboard.Contact
	var keyID string
	var waID, name, userID, parentUserID, username []byte
	var created, blockedAt sql.NullInt64
	var blockedBy sql.NullString
	err := db.rdb.QueryRowContext(ctx, `SELECT id, channel_id, key_id, wa_id, name, created_at, user_id, parent_user_id, username,
		blocked_at, blocked_by
		FROM contacts WHERE id = ?`, contactID).
		Scan(&ct.ID, &ct.ChannelID, &keyID, &waID, &name, &created, &userID, &parentUserID, &username, &blockedAt, &blockedBy)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil, switchboard.NotFound("Contact")
	} else if err != nil {
		return nil, nil, fmt.Errorf("get contact: %w", err)
	}
	plainWaID, err := db.codec.Open(ctx, keyID, "contacts", "wa_id", ct.ID, waID)
	if err != nil {
		return nil, nil, err
	}
	plainName, err := db.codec.Open(ctx, keyID, "contacts", "name", ct.ID, name)
	if err != nil {
		return nil, nil, err
	}
	ct.WaID, ct.Name, ct.CreatedAt = string(plainWaID), string(plainName), fromMicros(created)
	setBlock(&ct, blockedAt, blockedBy)
	if err := db.codec.OpenContactIDs(ctx, keyID, &ct, userID, parentUserID, username); err != nil {
		return nil, nil, err
	}

	rows, err := db.rdb.QueryContext(ctx, convSelect+` WHERE c.contact_id = ? ORDER BY c.created_at, c.id`, "", contactID)
	if err != nil {
		return nil, nil, fmt.Errorf("list contact conversations: %w", err)
	}
	defer rows.Close()
	convs := []*switchboard.Conversation{}
	for rows.Next() {
		c, err := db.scanConversation(ctx, rows)
		if err != nil {
			return nil, nil, fmt.Errorf("list contact conversations: %w", err)
		}
		c.UnreadCount = 0
		convs = append(convs, c)
	}
	if err := rows.Err(); err != nil {
		return nil, nil, fmt.Errorf("list contact conversations: %w", err)
	}
	if err := db.fillAssignees(ctx, db.rdb, convs); err != nil {
		return nil, nil, err
	}
	return &ct, convs, nil
}

// ContactMedia implements [switchboard.ContactStore].
func (db *DB) ContactMedia(ctx context.Context, contactID string) ([]*switchboard.MediaFile, error) {
	rows, err := db.rdb.QueryContext(ctx, `SELECT `+mediaColumns+` FROM media
		WHERE conversation_id IN (`+contactConversations+`) ORDER BY created_at, id`, contactID)
	if err != nil {
		return nil, fmt.Errorf("list contact media: %w", err)
	}
	defer rows.Close()
	out, err := storekit.Collect(rows, func() (*switchboard.MediaFile, error) { return db.scanMedia(ctx, rows) })
	if err != nil {
		return nil, fmt.Errorf("list contact media: %w", err)
	}
	return out, nil
}

// DeleteExpired implements [switchboard.RetentionStore] as one write job
// on the single writer, so ingest and sends interleave between batches.
// Foreign keys guard every step: a row that gained a child in the
// meantime (a conversation that received a message) fails the delete
// instead of losing data, and the next run tries again.
func (db *DB) DeleteExpired(ctx context.Context, channelID string, cutoff time.Time, limit int) (*switchboard.ExpiredData, error) {
	res := &switchboard.ExpiredData{}
	cut := micros(utc(cutoff))
	err := db.write(ctx, func(ctx context.Context, tx *writeTx) error {
		*res = switchboard.ExpiredData{}
		// Suggested replies expire like the messages they answer.
		if _, err := tx.ExecContext(ctx, `DELETE FROM suggestions WHERE created_at < ?
			AND conversation_id IN (SELECT id FROM conversations WHERE channel_id = ?)`, cut, channelID); err != nil {
			return fmt.Errorf("delete expired suggestions: %w", err)
		}
		if err := unindexRows(ctx, tx, true, `SELECT search_id, created_at, search_terms FROM thread_entries WHERE created_at < ?
			AND conversation_id IN (SELECT id FROM conversations WHERE channel_id = ?)`, cut, channelID); err != nil {
			return err
		}
		// Notes and activity lines expire like the messages beside them.
		if _, err := tx.ExecContext(ctx, `DELETE FROM thread_entries WHERE created_at < ?
			AND conversation_id IN (SELECT id FROM conversations WHERE channel_id = ?)`, cut, channelID); err != nil {
			return fmt.Errorf("delete expired thread entries: %w", err)
		}
		// A draft untouched for the whole retention period goes too: it may
		// quote the customer.
		if _, err := tx.ExecContext(ctx, `DELETE FROM drafts WHERE updated_at < ?
			AND conversation_id IN (SELECT id FROM conversations WHERE channel_id = ?)`, cut, channelID); err != nil {
			return fmt.Errorf("delete expired drafts: %w", err)
		}
		msgs, err := queryIDs(ctx, tx, `SELECT m.id FROM messages m JOIN conversations c ON c.id = m.conversation_id
			WHERE c.channel_id = ? AND m.ts < ? AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.message_id = m.id)
			LIMIT ?`, channelID, cut, limit)
		if err != nil {
			return fmt.Errorf("select expired messages: %w", err)
		}
		if len(msgs) > 0 {
			in, args := placeholders(len(msgs)), anys(msgs)
			if res.MediaIDs, err = queryIDs(ctx, tx, `SELECT id FROM media WHERE message_id IN (`+in+`)`, args...); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `DELETE FROM media WHERE message_id IN (`+in+`)`, args...); err != nil {
				return fmt.Errorf("delete expired media: %w", err)
			}
			if err := unindexRows(ctx, tx, false, `SELECT search_id, ts, search_terms FROM messages WHERE id IN (`+in+`)`, args...); err != nil {
				return err
			}
			// Cascades to idempotency_keys and media_downloads.
			if _, err := tx.ExecContext(ctx, `DELETE FROM messages WHERE id IN (`+in+`)`, args...); err != nil {
				return fmt.Errorf("delete expired messages: %w", err)
			}
			res.Messages = len(msgs)
		}
		// Files stored before the cutoff that no remaining message uses
		// (an upload that was never sent).
		loose, err := queryIDs(ctx, tx, `SELECT x.id FROM media x JOIN conversations c ON c.id = x.conversation_id
			WHERE c.channel_id = ? AND x.created_at < ?
			AND NOT EXISTS (SELECT 1 FROM messages m WHERE m.id = x.message_id) LIMIT ?`, channelID, cut, limit)
		if err != nil {
			return fmt.Errorf("select expired media: %w", err)
		}
		if len(loose) > 0 {
			if _, err := tx.ExecContext(ctx, `DELETE FROM media WHERE id IN (`+placeholders(len(loose))+`)`, anys(loose)...); err != nil {
				return fmt.Errorf("delete expired media: %w", err)
			}
			res.MediaIDs = append(res.MediaIDs, loose...)
		}
		convs, err := queryIDs(ctx, tx, `SELECT c.id FROM conversations c WHERE c.channel_id = ? AND c.created_at < ?
			AND NOT EXISTS (SELECT 1 FROM messages m WHERE m.conversation_id = c.id)
			AND NOT EXISTS (SELECT 1 FROM media x WHERE x.conversation_id = c.id)
			AND NOT EXISTS (SELECT 1 FROM media_downloads d WHERE d.conversation_id = c.id)
			AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.conversation_id = c.id)
			LIMIT ?`, channelID, cut, limit)
		if err != nil {
			return fmt.Errorf("select expired conversations: %w", err)
		}
		if len(convs) > 0 {
			// Notes newer than the cutoff go with their conversation.
			if err := unindexRows(ctx, tx, true, `SELECT search_id, created_at, search_terms FROM thread_entries
				WHERE conversation_id IN (`+placeholders(len(convs))+`)`, anys(convs)...); err != nil {
				return err
			}
			// Cascades to assignees and read markers.
			if _, err := tx.ExecContext(ctx, `DELETE FROM conversations WHERE id IN (`+placeholders(len(convs))+`)`, anys(convs)...); err != nil {
				return fmt.Errorf("delete expired conversations: %w", err)
			}
			res.Conversations = len(convs)
		}
		rows, err := tx.QueryContext(ctx, `SELECT ct.id, ct.key_id FROM contacts ct WHERE ct.channel_id = ? AND ct.created_at < ?
			AND NOT EXISTS (SELECT 1 FROM conversations c WHERE c.contact_id = ct.id) LIMIT ?`, channelID, cut, limit)
		if err != nil {
			return fmt.Errorf("select expired contacts: %w", err)
		}
		var contacts, keys []string
		for rows.Next() {
			var id, key string
			if err := rows.Scan(&id, &key); err != nil {
				rows.Close()
				return err
			}
			contacts, keys = append(contacts, id), append(keys, key)
		}
		if err := rows.Close(); err != nil {
			return err
		}
		if len(contacts) > 0 {
			if err := unindexContacts(ctx, tx, contacts...); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `DELETE FROM contacts WHERE id IN (`+placeholders(len(contacts))+`)`, anys(contacts)...); err != nil {
				return fmt.Errorf("delete expired contacts: %w", err)
			}
			args := append([]any{micros(db.now())}, anys(keys)...)
			if _, err := tx.ExecContext(ctx, `UPDATE data_keys SET wrapped = NULL, destroyed_at = ? WHERE id IN (`+placeholders(len(keys))+`)`, args...); err != nil {
				return fmt.Errorf("destroy data keys: %w", err)
			}
			res.Contacts = len(contacts)
			tx.finally(func(committed bool) {
				if !committed {
					return
				}
				for _, k := range keys {
					db.codec.Keys.Forget(k)
				}
				db.names.Forget(contacts...)
			})
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("delete expired data: %w", err)
	}
	return res, nil
}

// queryIDs returns the first column of every row.
func queryIDs(ctx context.Context, q querier, query string, args ...any) ([]string, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

func anys(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

// setBlock fills the contact's block fields from their columns.
func setBlock(ct *switchboard.Contact, at sql.NullInt64, by sql.NullString) {
	if !at.Valid {
		ct.SetBlock(nil)
		return
	}
	ct.SetBlock(&switchboard.ContactBlock{By: by.String, At: fromMicros(at)})
}

// SetContactBlocked implements [switchboard.ConversationStore].
func (db *DB) SetContactBlocked(ctx context.Context, contactID string, b *switchboard.ContactBlock) error {
	var at, by any
	if b != nil {
		at, by = micros(b.At), b.By
	}
	return db.write(ctx, func(ctx context.Context, tx *writeTx) error {
		res, err := tx.ExecContext(ctx, `UPDATE contacts SET blocked_at = ?, blocked_by = ? WHERE id = ?`, at, by, contactID)
		if err != nil {
			return fmt.Errorf("set contact blocked: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return switchboard.NotFound("Contact")
		}
		return nil
	})
}
