package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"

	"github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/internal/storecrypt"
)

const messageColumns = `id, conversation_id, key_id, direction, type, status, content, wa_message_id,
	reply_to_id, sender_id, error_code, error_title, error_details, ts, created_at, updated_at`

// scanMessage reads a messageColumns row and opens its sealed fields.
func (db *DB) scanMessage(ctx context.Context, row pgx.Row) (*switchboard.Message, error) {
	var m switchboard.Message
	var keyID, errTitle, errDetails string
	var content, wamid []byte
	var errCode *int
	if err := row.Scan(&m.ID, &m.ConversationID, &keyID, &m.Direction, &m.Type, &m.Status, &content, &wamid,
		&m.ReplyToID, &m.SenderID, &errCode, &errTitle, &errDetails, &m.Timestamp, &m.CreatedAt, &m.UpdatedAt); err != nil {
		return nil, err
	}
	m.Timestamp, m.CreatedAt, m.UpdatedAt = m.Timestamp.UTC(), m.CreatedAt.UTC(), m.UpdatedAt.UTC()
	if errCode != nil || errTitle != "" || errDetails != "" {
		m.Error = &switchboard.MessageError{Title: errTitle, Details: errDetails}
		if errCode != nil {
			m.Error.Code = *errCode
		}
	}
	b, err := db.codec.Open(ctx, keyID, "messages", "content", m.ID, content)
	if err != nil {
		return nil, err
	}
	if m.Content, err = storecrypt.DecodeContent(b); err != nil {
		return nil, err
	}
	if wamid != nil {
		b, err := db.codec.Open(ctx, keyID, "messages", "wa_message_id", m.ID, wamid)
		if err != nil {
			return nil, err
		}
		m.WAMessageID = string(b)
	}
	return &m, nil
}

func (db *DB) loadMessage(ctx context.Context, q querier, id string) (*switchboard.Message, error) {
	m, err := db.scanMessage(ctx, q.QueryRow(ctx, `SELECT `+messageColumns+` FROM messages WHERE id = $1`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, switchboard.NotFound("Message")
	} else if err != nil {
		return nil, fmt.Errorf("get message: %w", err)
	}
	return m, nil
}

// Message returns one message.
func (db *DB) Message(ctx context.Context, id string) (*switchboard.Message, error) {
	return db.loadMessage(ctx, db.pool, id)
}

// Messages returns a page of a conversation's history, newest first.
func (db *DB) Messages(ctx context.Context, conversationID string, p switchboard.MessagePage) ([]*switchboard.Message, string, error) {
	args := []any{conversationID}
	sql := `SELECT ` + messageColumns + ` FROM messages WHERE conversation_id = $1`
	if p.Before != "" {
		t, id, err := storecrypt.DecodeCursor(p.Before)
		if err != nil {
			return nil, "", err
		}
		args = append(args, t, id)
		sql += ` AND (ts, id) < ($2, $3)`
	}
	limit := clampLimit(p.Limit)
	args = append(args, limit+1)
	sql += fmt.Sprintf(` ORDER BY ts DESC, id DESC LIMIT $%d`, len(args))

	rows, err := db.pool.Query(ctx, sql, args...)
	if err != nil {
		return nil, "", fmt.Errorf("list messages: %w", err)
	}
	defer rows.Close()
	msgs := []*switchboard.Message{}
	for rows.Next() {
		m, err := db.scanMessage(ctx, rows)
		if err != nil {
			return nil, "", fmt.Errorf("scan message: %w", err)
		}
		msgs = append(msgs, m)
	}
	if err := rows.Err(); err != nil {
		return nil, "", fmt.Errorf("list messages: %w", err)
	}
	if len(msgs) == 0 {
		// Tell an empty page of a real conversation from a missing one.
		var exists bool
		if err := db.pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM conversations WHERE id = $1)`, conversationID).Scan(&exists); err != nil {
			return nil, "", fmt.Errorf("get conversation: %w", err)
		} else if !exists {
			return nil, "", switchboard.NotFound("Conversation")
		}
	}
	var next string
	if len(msgs) > limit {
		msgs = msgs[:limit]
		last := msgs[limit-1]
		next = storecrypt.EncodeCursor(last.Timestamp, last.ID)
	}
	return msgs, next, nil
}

// errDuplicate aborts a ReceiveMessage transaction that lost a race to store
// the same wamid.
var errDuplicate = errors.New("duplicate message")

// ReceiveMessage stores an inbound message in one transaction: it finds or
// creates the contact (by BSUID, else phone number) and the open
// conversation (reopening the newest closed one), resolves replies and
// reactions, appends the message and moves the conversation's preview,
// counters and times forward. It is a batch of one (see ReceiveBatch). A
// wamid seen before returns the stored conversation and message with
// Duplicate set.
func (db *DB) ReceiveMessage(ctx context.Context, in switchboard.InboundMessage) (*switchboard.Received, error) {
	if in.Message != nil && in.Message.WAMessageID != "" && in.ChannelID != "" {
		// Webhooks are retried; answer repeats without taking any lock.
		if r, err := db.existingMessage(ctx, db.pool, db.codec.WAMIDHash(in.ChannelID, in.Message.WAMessageID)); err != nil || r != nil {
			return r, err
		}
	}
	res, err := db.ReceiveBatch(ctx, switchboard.InboundBatch{Messages: []switchboard.InboundMessage{in}})
	if err != nil {
		return nil, err
	}
	r := res.Received[0]
	if r.Duplicate {
		// A concurrent delivery of the same wamid committed first.
		if r.Message, err = db.loadMessage(ctx, db.pool, r.Message.ID); err != nil {
			return nil, err
		}
		if r.Conversation, err = db.loadConversation(ctx, db.pool, r.Message.ConversationID, ""); err != nil {
			return nil, err
		}
	}
	return r, nil
}

// existingMessage returns the stored message with the given wamid hash and
// its conversation as a duplicate, or nil if there is none.
func (db *DB) existingMessage(ctx context.Context, q querier, wamidHash []byte) (*switchboard.Received, error) {
	id, err := messageIDByHash(ctx, q, wamidHash)
	if err != nil || id == "" {
		return nil, err
	}
	msg, err := db.loadMessage(ctx, q, id)
	if err != nil {
		return nil, err
	}
	conv, err := db.loadConversation(ctx, q, msg.ConversationID, "")
	if err != nil {
		return nil, err
	}
	return &switchboard.Received{Conversation: conv, Message: msg, Duplicate: true}, nil
}

// messageIDByHash returns the id of the message with the given wamid hash,
// or "" if none is stored.
func messageIDByHash(ctx context.Context, q querier, hash []byte) (string, error) {
	var id string
	err := q.QueryRow(ctx, `SELECT id FROM messages WHERE wamid_hash = $1`, hash).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", nil
	} else if err != nil {
		return "", fmt.Errorf("find message by wamid: %w", err)
	}
	return id, nil
}

// createContact inserts a new contact with its own data key under the
// blind indexes hash (wa_id_hash) and user (user_id_hash, nil without a
// BSUID), and returns its sealed identifiers by column (wa_id,
// user_id, parent_user_id, username). It returns empty ids, and leaves no
// key behind, if a concurrent transaction inserted the same contact first.
func (db *DB) createContact(ctx context.Context, tx *txn, in switchboard.InboundMessage, hash, user []byte, now time.Time) (id, keyID string, sealed [numIDs][]byte, err error) {
	keyID, err = db.newDataKey(ctx, tx, now)
	if err != nil {
		return "", "", sealed, err
	}
	id = switchboard.NewID()
	for i, v := range [numIDs]string{in.WaID, in.UserID, in.ParentUserID, in.Username} {
		// The phone number is sealed even when empty: the column is NOT
		// NULL since before BSUIDs.
		if v != "" || i == idWaID {
			if sealed[i], err = db.codec.Seal(ctx, keyID, "contacts", idColumns[i], id, []byte(v)); err != nil {
				return "", "", sealed, err
			}
		}
	}
	name, err := db.codec.Seal(ctx, keyID, "contacts", "name", id, []byte(in.ProfileName))
	if err != nil {
		return "", "", sealed, err
	}
	tag, err := tx.Exec(ctx, `INSERT INTO contacts (id, channel_id, key_id, wa_id_hash, wa_id, name, created_at, updated_at,
			user_id_hash, user_id, parent_user_id, username)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $7, $8, $9, $10, $11) ON CONFLICT DO NOTHING`,
		id, in.ChannelID, keyID, hash, sealed[idWaID], name, now, user, sealed[idUserID], sealed[idParentUserID], sealed[idUsername])
	if code, _ := pgError(err); code == foreignKeyViolation {
		return "", "", sealed, switchboard.NotFound("Channel")
	} else if err != nil {
		return "", "", sealed, fmt.Errorf("insert contact: %w", err)
	}
	if tag.RowsAffected() == 0 {
		if _, err := tx.Exec(ctx, `DELETE FROM data_keys WHERE id = $1`, keyID); err != nil {
			return "", "", sealed, fmt.Errorf("delete unused data key: %w", err)
		}
		db.keys.Forget(keyID)
		return "", "", sealed, nil
	}
	if err := replaceTerms(ctx, tx, id, db.codec.ContactTerms(in.ProfileName, in.Username, in.WaID)); err != nil {
		return "", "", sealed, err
	}
	return id, keyID, sealed, nil
}

// replaceTerms sets the search terms of a contact.
func replaceTerms(ctx context.Context, tx *txn, contactID string, terms [][]byte) error {
	if _, err := tx.Exec(ctx, `DELETE FROM contact_terms WHERE contact_id = $1`, contactID); err != nil {
		return fmt.Errorf("delete contact terms: %w", err)
	}
	if len(terms) == 0 {
		return nil
	}
	if _, err := tx.Exec(ctx, `INSERT INTO contact_terms (term, contact_id) SELECT t, $2 FROM unnest($1::bytea[]) AS t
		ON CONFLICT DO NOTHING`, terms, contactID); err != nil {
		return fmt.Errorf("insert contact terms: %w", err)
	}
	return nil
}

// receiveConversation returns the contact's open conversation, reopening
// the newest closed one or creating one if there is none. The caller holds
// the contact's row lock, so concurrent receives for the contact wait here.
func (db *DB) receiveConversation(ctx context.Context, tx *txn, channelID, contactID, keyID string, ts, now time.Time) (id string, isNew bool, err error) {
	var status string
	err = tx.QueryRow(ctx, `SELECT id, status FROM conversations WHERE contact_id = $1
		ORDER BY status = 'open' DESC, created_at DESC, id DESC LIMIT 1 FOR NO KEY UPDATE`, contactID).Scan(&id, &status)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		id = switchboard.NewID()
		tag, err := tx.Exec(ctx, `INSERT INTO conversations (id, channel_id, contact_id, status, key_id, created_at, updated_at)
			VALUES ($1, $2, $3, 'open', $4, $5, $6) ON CONFLICT (contact_id) WHERE status = 'open' DO NOTHING`,
			id, channelID, contactID, keyID, now, ts)
		if err != nil {
			return "", false, fmt.Errorf("insert conversation: %w", err)
		} else if tag.RowsAffected() == 1 {
			return id, true, nil
		}
		// A conversation was opened by another path (SetConversationStatus)
		// in the meantime.
		if err := tx.QueryRow(ctx, `SELECT id FROM conversations WHERE contact_id = $1 AND status = 'open' FOR NO KEY UPDATE`,
			contactID).Scan(&id); err != nil {
			return "", false, fmt.Errorf("find open conversation: %w", err)
		}
		return id, false, nil
	case err != nil:
		return "", false, fmt.Errorf("find conversation: %w", err)
	case status == switchboard.StatusOpen:
		return id, false, nil
	}
	// A customer writing after a close reopens the thread, so the history
	// stays in one conversation.
	if _, err := tx.Exec(ctx, `UPDATE conversations SET status = 'open' WHERE id = $1`, id); err != nil {
		if code, _ := pgError(err); code == uniqueViolation {
			return "", false, switchboard.Errorf(switchboard.EConflict, "The contact already has an open conversation.")
		}
		return "", false, fmt.Errorf("reopen conversation: %w", err)
	}
	return id, true, nil
}

// insertMessage inserts m sealed under keyID. It reports false, inserting
// nothing, if a message with the same wamid hash exists.
func (db *DB) insertMessage(ctx context.Context, tx *txn, m *switchboard.Message, keyID string, wamidHash []byte) (bool, error) {
	b, err := storecrypt.EncodeContent(m.Content)
	if err != nil {
		return false, err
	}
	content, err := db.codec.Seal(ctx, keyID, "messages", "content", m.ID, b)
	if err != nil {
		return false, err
	}
	var wamid []byte
	if m.WAMessageID != "" {
		if wamid, err = db.codec.Seal(ctx, keyID, "messages", "wa_message_id", m.ID, []byte(m.WAMessageID)); err != nil {
			return false, err
		}
	}
	var errCode *int
	var errTitle, errDetails string
	if m.Error != nil {
		errCode, errTitle, errDetails = &m.Error.Code, m.Error.Title, m.Error.Details
	}
	tag, err := tx.Exec(ctx, `INSERT INTO messages (`+messageColumns+`, wamid_hash)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)
		ON CONFLICT (wamid_hash) DO NOTHING`,
		m.ID, m.ConversationID, keyID, m.Direction, m.Type, m.Status, content, wamid,
		m.ReplyToID, m.SenderID, errCode, errTitle, errDetails, m.Timestamp, m.CreatedAt, m.UpdatedAt, wamidHash)
	if code, _ := pgError(err); code == uniqueViolation {
		return false, switchboard.Errorf(switchboard.EConflict, "Message already exists.")
	} else if err != nil {
		return false, fmt.Errorf("insert message: %w", err)
	}
	return tag.RowsAffected() == 1, nil
}

// advanceConversation records message m in the conversation: the preview,
// last_message_at and updated_at move only forward in m.Timestamp (messages
// may arrive out of order), last_inbound_at likewise for inbound messages.
func (db *DB) advanceConversation(ctx context.Context, tx *txn, convID, keyID string, m *switchboard.Message, inbound int) error {
	p := preview(m)
	sealed, err := db.codec.SealJSON(ctx, keyID, "conversations", "last_message", convID, p)
	if err != nil {
		return err
	}
	var lastInbound any
	if inbound > 0 {
		lastInbound = m.Timestamp
	}
	// SET expressions all see the row as it was, so the CASE compares with
	// the old last_message_at.
	if _, err := tx.Exec(ctx, `UPDATE conversations SET
			inbound_count = inbound_count + $5,
			last_inbound_at = GREATEST(last_inbound_at, $4::timestamptz),
			last_message = CASE WHEN last_message_at IS NULL OR last_message_at <= $2 THEN $3 ELSE last_message END,
			last_message_at = GREATEST(last_message_at, $2),
			updated_at = GREATEST(updated_at, $2)
		WHERE id = $1`, convID, m.Timestamp, sealed, lastInbound, inbound); err != nil {
		return fmt.Errorf("update conversation: %w", err)
	}
	return nil
}

// previewRunes bounds the preview text kept with a conversation.
const previewRunes = 200

// preview returns the conversation-list form of m.
func preview(m *switchboard.Message) switchboard.MessagePreview {
	text := m.Content.Text
	switch {
	case text != "":
	case m.Content.Reaction != nil:
		text = m.Content.Reaction.Emoji
	case m.Content.Media != nil:
		text = m.Content.Media.Filename
	case m.Content.Location != nil:
		text = m.Content.Location.Name
	case m.Content.Interactive != nil:
		text = m.Content.Interactive.Title
	case m.Content.Template != nil:
		text = m.Content.Template.Name
	}
	if utf8.RuneCountInString(text) > previewRunes {
		r := []rune(text)
		text = string(r[:previewRunes-1]) + "…"
	}
	return switchboard.MessagePreview{Text: text, Type: m.Type, Direction: m.Direction, At: m.Timestamp}
}

// CreateOutboundMessage stores m as pending with its outbox entry and moves
// the conversation's preview forward, in one transaction.
func (db *DB) CreateOutboundMessage(ctx context.Context, m *switchboard.Message) (*switchboard.Conversation, error) {
	if m == nil || m.ConversationID == "" {
		return nil, switchboard.Errorf(switchboard.EInvalid, "Conversation is required.")
	}
	now := db.now()
	if m.ID == "" {
		m.ID = switchboard.NewID()
	}
	m.Direction, m.Status = switchboard.DirectionOut, switchboard.MessagePending
	if m.Timestamp.IsZero() {
		m.Timestamp = now
	}
	m.Timestamp, m.CreatedAt, m.UpdatedAt = utc(m.Timestamp), now, now

	var conv *switchboard.Conversation
	err := db.withTx(ctx, func(tx *txn) error {
		var channelID, keyID string
		err := tx.QueryRow(ctx, `SELECT channel_id, key_id FROM conversations WHERE id = $1 FOR NO KEY UPDATE`, m.ConversationID).
			Scan(&channelID, &keyID)
		if errors.Is(err, pgx.ErrNoRows) {
			return switchboard.NotFound("Conversation")
		} else if err != nil {
			return fmt.Errorf("get conversation: %w", err)
		}
		var wamidHash []byte
		if m.WAMessageID != "" {
			wamidHash = db.codec.WAMIDHash(channelID, m.WAMessageID)
		}
		if inserted, err := db.insertMessage(ctx, tx, m, keyID, wamidHash); err != nil {
			return err
		} else if !inserted {
			return switchboard.Errorf(switchboard.EConflict, "Message already exists.")
		}
		if err := attachUpload(ctx, tx, m); err != nil {
			return err
		}
		if m.IdempotencyKey != "" {
			// A concurrent insert of the same key waits here for the first
			// to commit, then inserts nothing.
			tag, err := tx.Exec(ctx, `INSERT INTO idempotency_keys (user_id, key, message_id, created_at) VALUES ($1, $2, $3, $4)
				ON CONFLICT (user_id, key) DO NOTHING`, m.SenderID, m.IdempotencyKey, m.ID, now)
			if err != nil {
				return fmt.Errorf("insert idempotency key: %w", err)
			} else if tag.RowsAffected() == 0 {
				return switchboard.Errorf(switchboard.EConflict, "A message with this Idempotency-Key was already sent.")
			}
		}
		if _, err := tx.Exec(ctx, `INSERT INTO outbox (message_id, conversation_id, channel_id, state, attempts, next_attempt_at, created_at, ts)
			VALUES ($1, $2, $3, 'pending', 0, $4, $4, $5)`, m.ID, m.ConversationID, channelID, now, m.Timestamp); err != nil {
			return fmt.Errorf("insert outbox: %w", err)
		}
		if err := db.advanceConversation(ctx, tx, m.ConversationID, keyID, m, 0); err != nil {
			return err
		}
		conv, err = db.loadConversation(ctx, tx, m.ConversationID, m.SenderID)
		return err
	})
	if err != nil {
		return nil, err
	}
	return conv, nil
}
