package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

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
	var blockedAt *time.Time
	var blockedBy *string
	err := db.pool.QueryRow(ctx, `SELECT id, channel_id, key_id, wa_id, name, created_at, user_id, parent_user_id, username,
		blocked_at, blocked_by
		FROM contacts WHERE id = $1`, contactID).
		Scan(&ct.ID, &ct.ChannelID, &keyID, &waID, &name, &ct.CreatedAt, &userID, &parentUserID, &username, &blockedAt, &blockedBy)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil, switchboard.NotFound("Contact")
	} else if err != nil {
		return nil, nil, fmt.Errorf("get contact: %w", err)
	}
	ct.CreatedAt = ct.CreatedAt.UTC()
	setBlock(&ct, blockedAt, blockedBy)
	if err := db.openContact(ctx, &ct, keyID, waID, name); err != nil {
		return nil, nil, err
	}
	if err := db.codec.OpenContactIDs(ctx, keyID, &ct, userID, parentUserID, username); err != nil {
		return nil, nil, err
	}
	rows, err := db.pool.Query(ctx, conversationSelect+` WHERE c.contact_id = $2 ORDER BY c.created_at, c.id`, "", contactID)
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
	if err := loadAssignees(ctx, db.pool, convs...); err != nil {
		return nil, nil, err
	}
	return &ct, convs, nil
}

// ContactMedia implements [switchboard.ContactStore].
func (db *DB) ContactMedia(ctx context.Context, contactID string) ([]*switchboard.MediaFile, error) {
	rows, err := db.pool.Query(ctx, `SELECT `+mediaColumns+` FROM media
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

// DeleteExpired implements [switchboard.RetentionStore] in one
// transaction. Conversations and contacts are locked with SKIP LOCKED, so
// one that the ingest holds (a message arriving now) is left for the next
// run; the foreign keys turn any remaining race into a failed batch
// instead of lost data.
func (db *DB) DeleteExpired(ctx context.Context, channelID string, cutoff time.Time, limit int) (*switchboard.ExpiredData, error) {
	res := &switchboard.ExpiredData{}
	var destroyed, contacts []string
	err := db.withTx(ctx, func(tx *txn) error {
		*res = switchboard.ExpiredData{}
		destroyed, contacts = nil, nil
		cut := utc(cutoff)
		// Suggested replies expire like the messages they answer.
		if _, err := tx.Exec(ctx, `DELETE FROM suggestions WHERE created_at < $1
			AND conversation_id IN (SELECT id FROM conversations WHERE channel_id = $2)`, cut, channelID); err != nil {
			return fmt.Errorf("delete expired suggestions: %w", err)
		}
		if err := unindexRows(ctx, tx, true, `SELECT search_id, created_at, search_terms FROM thread_entries WHERE created_at < $1
			AND conversation_id IN (SELECT id FROM conversations WHERE channel_id = $2)`, cut, channelID); err != nil {
			return err
		}
		// Notes and activity lines expire like the messages beside them.
		if _, err := tx.Exec(ctx, `DELETE FROM thread_entries WHERE created_at < $1
			AND conversation_id IN (SELECT id FROM conversations WHERE channel_id = $2)`, cut, channelID); err != nil {
			return fmt.Errorf("delete expired thread entries: %w", err)
		}
		// A draft untouched for the whole retention period goes too: it may
		// quote the customer.
		if _, err := tx.Exec(ctx, `DELETE FROM drafts WHERE updated_at < $1
			AND conversation_id IN (SELECT id FROM conversations WHERE channel_id = $2)`, cut, channelID); err != nil {
			return fmt.Errorf("delete expired drafts: %w", err)
		}
		msgs, err := collectIDs(ctx, tx, `SELECT m.id FROM messages m JOIN conversations c ON c.id = m.conversation_id
			WHERE c.channel_id = $1 AND m.ts < $2 AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.message_id = m.id)
			LIMIT $3 FOR UPDATE OF m SKIP LOCKED`, channelID, cut, limit)
		if err != nil {
			return fmt.Errorf("select expired messages: %w", err)
		}
		if len(msgs) > 0 {
			if res.MediaIDs, err = collectIDs(ctx, tx, `DELETE FROM media WHERE message_id = ANY($1) RETURNING id`, msgs); err != nil {
				return fmt.Errorf("delete expired media: %w", err)
			}
			if err := unindexRows(ctx, tx, false, `SELECT search_id, ts, search_terms FROM messages WHERE id = ANY($1)`, msgs); err != nil {
				return err
			}
			// Cascades to idempotency_keys and media_downloads.
			if _, err := tx.Exec(ctx, `DELETE FROM messages WHERE id = ANY($1)`, msgs); err != nil {
				return fmt.Errorf("delete expired messages: %w", err)
			}
			res.Messages = len(msgs)
		}
		// Files stored before the cutoff that no remaining message uses
		// (an upload that was never sent).
		loose, err := collectIDs(ctx, tx, `DELETE FROM media WHERE id IN (
			SELECT x.id FROM media x JOIN conversations c ON c.id = x.conversation_id
			WHERE c.channel_id = $1 AND x.created_at < $2
			AND NOT EXISTS (SELECT 1 FROM messages m WHERE m.id = x.message_id) LIMIT $3) RETURNING id`, channelID, cut, limit)
		if err != nil {
			return fmt.Errorf("delete expired media: %w", err)
		}
		res.MediaIDs = append(res.MediaIDs, loose...)
		convs, err := collectIDs(ctx, tx, `SELECT c.id FROM conversations c WHERE c.channel_id = $1 AND c.created_at < $2
			AND NOT EXISTS (SELECT 1 FROM messages m WHERE m.conversation_id = c.id)
			AND NOT EXISTS (SELECT 1 FROM media x WHERE x.conversation_id = c.id)
			AND NOT EXISTS (SELECT 1 FROM media_downloads d WHERE d.conversation_id = c.id)
			AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.conversation_id = c.id)
			LIMIT $3 FOR UPDATE SKIP LOCKED`, channelID, cut, limit)
		if err != nil {
			return fmt.Errorf("select expired conversations: %w", err)
		}
		if len(convs) > 0 {
			// Notes newer than the cutoff go with their conversation.
			if err := unindexRows(ctx, tx, true, `SELECT search_id, created_at, search_terms FROM thread_entries
				WHERE conversation_id = ANY($1)`, convs); err != nil {
				return err
			}
			// Cascades to assignees and read markers.
			if _, err := tx.Exec(ctx, `DELETE FROM conversations WHERE id = ANY($1)`, convs); err != nil {
				return fmt.Errorf("delete expired conversations: %w", err)
			}
			res.Conversations = len(convs)
		}
		rows, err := tx.Query(ctx, `SELECT ct.id, ct.key_id FROM contacts ct WHERE ct.channel_id = $1 AND ct.created_at < $2
			AND NOT EXISTS (SELECT 1 FROM conversations c WHERE c.contact_id = ct.id)
			LIMIT $3 FOR UPDATE SKIP LOCKED`, channelID, cut, limit)
		if err != nil {
			return fmt.Errorf("select expired contacts: %w", err)
		}
		for rows.Next() {
			var id, key string
			if err := rows.Scan(&id, &key); err != nil {
				rows.Close()
				return err
			}
			contacts, destroyed = append(contacts, id), append(destroyed, key)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("select expired contacts: %w", err)
		}
		if len(contacts) > 0 {
			if err := unindexContacts(ctx, tx, contacts); err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, `DELETE FROM contacts WHERE id = ANY($1)`, contacts); err != nil {
				return fmt.Errorf("delete expired contacts: %w", err)
			}
			if _, err := tx.Exec(ctx, `UPDATE data_keys SET wrapped = NULL, destroyed_at = $1 WHERE id = ANY($2)`,
				utc(db.now()), destroyed); err != nil {
				return fmt.Errorf("destroy data keys: %w", err)
			}
			res.Contacts = len(contacts)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("delete expired data: %w", err)
	}
	for _, k := range destroyed {
		db.keys.Forget(k)
	}
	db.names.Forget(contacts...)
	return res, nil
}

// collectIDs returns the first column of every row.
func collectIDs(ctx context.Context, q querier, query string, args ...any) ([]string, error) {
	rows, err := q.Query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowTo[string])
}

// setBlock fills the contact's block fields from their columns.
func setBlock(ct *switchboard.Contact, at *time.Time, by *string) {
	if at == nil {
		ct.SetBlock(nil)
		return
	}
	b := &switchboard.ContactBlock{At: *at}
	if by != nil {
		b.By = *by
	}
	ct.SetBlock(b)
}

// SetContactBlocked implements [switchboard.ConversationStore].
func (db *DB) SetContactBlocked(ctx context.Context, contactID string, b *switchboard.ContactBlock) error {
	var at *time.Time
	var by *string
	if b != nil {
		t := b.At.UTC().Truncate(time.Microsecond)
		at, by = &t, &b.By
	}
	// In a transaction of its own so that the event records staged on
	// ctx are written with it.
	return db.withTx(ctx, func(tx *txn) error {
		tag, err := tx.Exec(ctx, `UPDATE contacts SET blocked_at = $2, blocked_by = $3 WHERE id = $1`, contactID, at, by)
		if err != nil {
			return fmt.Errorf("set contact blocked: %w", err)
		}
		if tag.RowsAffected() == 0 {
			return switchboard.NotFound("Contact")
		}
		return nil
	})
}
