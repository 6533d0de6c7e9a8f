package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/internal/storecrypt"
	"github.com/switchboardhq/switchboard/internal/storekit"
)

const messageColumns = `id, conversation_id, key_id, direction, type, status, content, wa_message_id, reply_to_id,
	sender_id, error_code, error_title, error_details, ts, created_at, updated_at, author, imported, edited_at, revoked, pricing`

const insertMessageSQL = `INSERT INTO messages (id, conversation_id, key_id, direction, type, status, content,
		wa_message_id, wamid_hash, reply_to_id, sender_id, error_code, error_title, error_details, ts, created_at, updated_at,
		author, imported, edited_at, revoked, search_id, search_terms)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`

func (db *DB) scanMessage(ctx context.Context, row interface{ Scan(...any) error }) (*switchboard.Message, error) {
	var m switchboard.Message
	var keyID string
	var content, wamid []byte
	var errCode sql.NullInt64
	var errTitle, errDetails string
	var ts, created, updated, edited sql.NullInt64
	var pricing *string
	if err := row.Scan(&m.ID, &m.ConversationID, &keyID, &m.Direction, &m.Type, &m.Status, &content, &wamid, &m.ReplyToID,
		&m.SenderID, &errCode, &errTitle, &errDetails, &ts, &created, &updated, &m.Author, &m.Imported, &edited, &m.Revoked, &pricing); err != nil {
		return nil, err
	}
	m.FillAuthor()
	if edited.Valid {
		t := fromMicros(edited)
		m.EditedAt = &t
	}
	m.Pricing = storekit.DecodePricing(pricing)
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
	if errCode.Valid {
		m.Error = &switchboard.MessageError{Code: int(errCode.Int64), Title: errTitle, Details: errDetails}
	}
	m.Timestamp, m.CreatedAt, m.UpdatedAt = fromMicros(ts), fromMicros(created), fromMicros(updated)
	return &m, nil
}

func (db *DB) message(ctx context.Context, q querier, id string) (*switchboard.Message, error) {
	m, err := db.scanMessage(ctx, q.QueryRowContext(ctx, `SELECT `+messageColumns+` FROM messages WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, switchboard.NotFound("Message")
	} else if err != nil {
		return nil, fmt.Errorf("get message: %w", err)
	}
	return m, nil
}

// Message returns one message.
func (db *DB) Message(ctx context.Context, id string) (*switchboard.Message, error) {
	return db.message(ctx, db.rdb, id)
}

// Messages returns a page of a conversation's history, newest first, and
// the cursor of the next (older) page.
func (db *DB) Messages(ctx context.Context, conversationID string, p switchboard.MessagePage) ([]*switchboard.Message, string, error) {
	if err := conversationExists(ctx, db.rdb, conversationID); err != nil {
		return nil, "", err
	}
	query := `SELECT ` + messageColumns + ` FROM messages WHERE conversation_id = ?`
	args := []any{conversationID}
	if p.Before != "" {
		at, id, err := storecrypt.DecodeCursor(p.Before)
		if err != nil {
			return nil, "", err
		}
		m := micros(at)
		query += ` AND ts <= ? AND (ts < ? OR id < ?)`
		args = append(args, m, m, id)
	}
	limit := storekit.ClampLimit(p.Limit)
	query += ` ORDER BY ts DESC, id DESC LIMIT ?`
	args = append(args, limit+1)
	rows, err := db.rdb.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, "", fmt.Errorf("list messages: %w", err)
	}
	defer rows.Close()
	msgs, err := storekit.Collect(rows, func() (*switchboard.Message, error) { return db.scanMessage(ctx, rows) })
	if err != nil {
		return nil, "", fmt.Errorf("list messages: %w", err)
	}
	msgs, next := storekit.Page(msgs, limit, storekit.MessageCursor)
	return msgs, next, nil
}

// insertMessage seals and inserts m, whose ids and times are already set.
// wamidHash is the blind index of its wamid when the caller has it. A wamid
// stored already is EConflict (the ingest planner finds redeliveries
// before).
func (db *DB) insertMessage(ctx context.Context, tx *writeTx, channelID, keyID string, m *switchboard.Message, wamidHash []byte) error {
	b, err := storecrypt.EncodeContent(m.Content)
	if err != nil {
		return err
	}
	content, err := db.codec.Seal(ctx, keyID, "messages", "content", m.ID, b)
	if err != nil {
		return err
	}
	var wamid []byte
	if m.WAMessageID != "" {
		if wamid, err = db.codec.Seal(ctx, keyID, "messages", "wa_message_id", m.ID, []byte(m.WAMessageID)); err != nil {
			return err
		}
		if wamidHash == nil {
			wamidHash = db.codec.WAMIDHash(channelID, m.WAMessageID)
		}
	} else {
		wamidHash = nil
	}
	var errCode any
	var errTitle, errDetails string
	if m.Error != nil {
		errCode, errTitle, errDetails = m.Error.Code, m.Error.Title, m.Error.Details
	}
	m.FillAuthor()
	var edited any
	if m.EditedAt != nil {
		edited = micros(*m.EditedAt)
	}
	sid, err := searchID(ctx, tx, nextMessageSearchID)
	if err != nil {
		return err
	}
	terms := db.codec.MessageTerms(m)
	_, err = tx.ExecContext(ctx, insertMessageSQL,
		m.ID, m.ConversationID, keyID, m.Direction, m.Type, m.Status, content, wamid, wamidHash, m.ReplyToID, m.SenderID,
		errCode, errTitle, errDetails, micros(m.Timestamp), micros(m.CreatedAt), micros(m.UpdatedAt),
		m.Author, m.Imported, edited, m.Revoked, sid, storecrypt.EncodeTerms(terms))
	if isUnique(err) {
		return switchboard.Errorf(switchboard.EConflict, "Message already exists.")
	} else if err != nil {
		return fmt.Errorf("insert message: %w", err)
	}
	return insertTerms(ctx, tx, terms, micros(m.Timestamp), sid)
}

// touchConversation records a new message in the conversation by
// switchboard.ConversationActivity.Absorb, the one rule for what a message
// moves: the writer reads the row, applies the rule and writes it back.
func (db *DB) touchConversation(ctx context.Context, tx *writeTx, convID, keyID string, m *switchboard.Message) error {
	var lastMessageAt, lastInbound sql.NullInt64
	var updated int64
	var a switchboard.ConversationActivity
	if err := tx.QueryRowContext(ctx, `SELECT last_message_at, last_inbound_at, inbound_count, updated_at FROM conversations WHERE id = ?`,
		convID).Scan(&lastMessageAt, &lastInbound, &a.InboundCount, &updated); err != nil {
		return fmt.Errorf("read conversation: %w", err)
	}
	a.LastMessageAt, a.LastInboundAt, a.UpdatedAt = fromMicros(lastMessageAt), fromMicros(lastInbound), time.UnixMicro(updated).UTC()
	p := a.Absorb(m)
	if p == nil {
		_, err := tx.ExecContext(ctx, `UPDATE conversations SET last_inbound_at = ?, inbound_count = ?, updated_at = ? WHERE id = ?`,
			micros(a.LastInboundAt), a.InboundCount, micros(a.UpdatedAt), convID)
		if err != nil {
			return fmt.Errorf("update conversation: %w", err)
		}
		return nil
	}
	sealed, err := db.codec.SealJSON(ctx, keyID, "conversations", "last_message", convID, p)
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE conversations SET last_message = ?, last_message_at = ?, last_inbound_at = ?,
			inbound_count = ?, updated_at = ? WHERE id = ?`,
		sealed, micros(a.LastMessageAt), micros(a.LastInboundAt), a.InboundCount, micros(a.UpdatedAt), convID); err != nil {
		return fmt.Errorf("update conversation: %w", err)
	}
	return nil
}

// CreateOutboundMessage stores a message the business sends, as pending,
// with its outbox entry, and updates the conversation, in one transaction.
func (db *DB) CreateOutboundMessage(ctx context.Context, m *switchboard.Message) (*switchboard.Conversation, error) {
	if m == nil || m.ConversationID == "" {
		return nil, switchboard.ErrOutboundNoConversation
	}
	err := db.write(ctx, func(ctx context.Context, tx *writeTx) error {
		var channelID, keyID string
		err := tx.QueryRowContext(ctx, `SELECT channel_id, key_id FROM conversations WHERE id = ?`, m.ConversationID).Scan(&channelID, &keyID)
		if errors.Is(err, sql.ErrNoRows) {
			return switchboard.NotFound("Conversation")
		} else if err != nil {
			return fmt.Errorf("get conversation: %w", err)
		}
		now := db.now()
		n := *m
		n.PrepareOutbound(now)
		n.Timestamp = utc(n.Timestamp)
		if err := db.insertMessage(ctx, tx, channelID, keyID, &n, nil); err != nil {
			return err
		}
		if err := attachUpload(ctx, tx, &n); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO outbox (message_id, conversation_id, channel_id, state, attempts,
			next_attempt_at, created_at, ts) VALUES (?, ?, ?, 'pending', 0, ?, ?, ?)`,
			n.ID, n.ConversationID, channelID, micros(now), micros(now), micros(n.Timestamp)); err != nil {
			return fmt.Errorf("insert outbox: %w", err)
		}
		if n.IdempotencyKey != "" {
			_, err := tx.ExecContext(ctx, `INSERT INTO idempotency_keys (user_id, key, message_id, created_at) VALUES (?, ?, ?, ?)`,
				n.SenderID, n.IdempotencyKey, n.ID, micros(now))
			if isUnique(err) {
				return switchboard.ErrIdempotencyKeyUsed
			} else if err != nil {
				return fmt.Errorf("insert idempotency key: %w", err)
			}
		}
		if err := db.touchConversation(ctx, tx, n.ConversationID, keyID, &n); err != nil {
			return err
		}
		*m = n
		return nil
	})
	if err != nil {
		return nil, err
	}
	// Read after the commit, outside the writer (see ReceiveMessage).
	return db.conversation(ctx, db.rdb, m.ConversationID, m.SenderID)
}

// ReceiveMessage stores an inbound message, in one transaction: it finds or
// creates the contact and the conversation (reopening the most recent closed
// one), ignores a WhatsApp message id it has seen before, and resolves
// replies and reactions to our message ids.
func (db *DB) ReceiveMessage(ctx context.Context, in switchboard.InboundMessage) (*switchboard.Received, error) {
	if err := in.Validate(); err != nil {
		return nil, err
	}
	res, err := db.receiveBatch(ctx, switchboard.InboundBatch{Messages: []switchboard.InboundMessage{in}})
	if err != nil {
		return nil, err
	}
	r := res.Received[0]
	if r.Duplicate {
		// A redelivery: answer with what is stored, read after the commit.
		if r.Message, err = db.message(ctx, db.rdb, r.Message.ID); err != nil {
			return nil, err
		}
		if r.Conversation, err = db.conversation(ctx, db.rdb, r.Message.ConversationID, ""); err != nil {
			return nil, err
		}
	}
	return r, nil
}
