package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/internal/storecrypt"
	"github.com/switchboardhq/switchboard/internal/storekit"
)

const messageColumns = `id, conversation_id, key_id, direction, type, status, content, wa_message_id,
	reply_to_id, sender_id, error_code, error_title, error_details, ts, created_at, updated_at,
	author, imported, edited_at, revoked`

// messageSelect is messageColumns and what only reads name: the pricing
// that statuses set after the insert.
const messageSelect = messageColumns + `, pricing`

// scanMessage reads a messageColumns row and opens its sealed fields.
func (db *DB) scanMessage(ctx context.Context, row pgx.Row) (*switchboard.Message, error) {
	var m switchboard.Message
	var keyID, errTitle, errDetails string
	var content, wamid []byte
	var errCode *int
	var pricing *string
	if err := row.Scan(&m.ID, &m.ConversationID, &keyID, &m.Direction, &m.Type, &m.Status, &content, &wamid,
		&m.ReplyToID, &m.SenderID, &errCode, &errTitle, &errDetails, &m.Timestamp, &m.CreatedAt, &m.UpdatedAt,
		&m.Author, &m.Imported, &m.EditedAt, &m.Revoked, &pricing); err != nil {
		return nil, err
	}
	m.FillAuthor()
	if m.EditedAt != nil {
		t := m.EditedAt.UTC()
		m.EditedAt = &t
	}
	m.Pricing = storekit.DecodePricing(pricing)
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
	m, err := db.scanMessage(ctx, q.QueryRow(ctx, `SELECT `+messageSelect+` FROM messages WHERE id = $1`, id))
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
	sql := `SELECT ` + messageSelect + ` FROM messages WHERE conversation_id = $1`
	if p.Before != "" {
		t, id, err := storecrypt.DecodeCursor(p.Before)
		if err != nil {
			return nil, "", err
		}
		args = append(args, t, id)
		sql += ` AND (ts, id) < ($2, $3)`
	}
	limit := storekit.ClampLimit(p.Limit)
	args = append(args, limit+1)
	sql += fmt.Sprintf(` ORDER BY ts DESC, id DESC LIMIT $%d`, len(args))

	rows, err := db.pool.Query(ctx, sql, args...)
	if err != nil {
		return nil, "", fmt.Errorf("list messages: %w", err)
	}
	defer rows.Close()
	msgs, err := storekit.Collect(rows, func() (*switchboard.Message, error) { return db.scanMessage(ctx, rows) })
	if err != nil {
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
	msgs, next := storekit.Page(msgs, limit, storekit.MessageCursor)
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
	m.FillAuthor()
	terms := db.codec.MessageTerms(m)
	tag, err := tx.Exec(ctx, `INSERT INTO messages (`+messageColumns+`, wamid_hash, search_terms)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22)
		ON CONFLICT (wamid_hash) DO NOTHING`,
		m.ID, m.ConversationID, keyID, m.Direction, m.Type, m.Status, content, wamid,
		m.ReplyToID, m.SenderID, errCode, errTitle, errDetails, m.Timestamp, m.CreatedAt, m.UpdatedAt,
		m.Author, m.Imported, m.EditedAt, m.Revoked, wamidHash, storecrypt.EncodeTerms(terms))
	if code, _ := pgError(err); code == uniqueViolation {
		return false, switchboard.Errorf(switchboard.EConflict, "Message already exists.")
	} else if err != nil {
		return false, fmt.Errorf("insert message: %w", err)
	}
	if tag.RowsAffected() != 1 {
		return false, nil
	}
	if len(terms) > 0 {
		ids, ts := termPairs([]string{m.ID}, [][]int64{terms})
		if _, err := tx.Exec(ctx, insertMessageTerms, ids, ts); err != nil {
			return false, fmt.Errorf("insert search terms: %w", err)
		}
	}
	return true, nil
}

// advanceConversation records message m in the locked conversation by
// switchboard.ConversationActivity.Absorb, the one rule for what a message
// moves: it reads the row, applies the rule and writes it back.
func (db *DB) advanceConversation(ctx context.Context, tx *txn, convID, keyID string, m *switchboard.Message) error {
	var lastMessageAt, lastInbound *time.Time
	var a switchboard.ConversationActivity
	if err := tx.QueryRow(ctx, `SELECT last_message_at, last_inbound_at, inbound_count, updated_at FROM conversations WHERE id = $1`,
		convID).Scan(&lastMessageAt, &lastInbound, &a.InboundCount, &a.UpdatedAt); err != nil {
		return fmt.Errorf("read conversation: %w", err)
	}
	a.LastMessageAt, a.LastInboundAt, a.UpdatedAt = fromNull(lastMessageAt), fromNull(lastInbound), a.UpdatedAt.UTC()
	p := a.Absorb(m)
	if p == nil {
		if _, err := tx.Exec(ctx, `UPDATE conversations SET last_inbound_at = $2, inbound_count = $3, updated_at = $4 WHERE id = $1`,
			convID, nullTime(a.LastInboundAt), a.InboundCount, a.UpdatedAt); err != nil {
			return fmt.Errorf("update conversation: %w", err)
		}
		return nil
	}
	sealed, err := db.codec.SealJSON(ctx, keyID, "conversations", "last_message", convID, p)
	if err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `UPDATE conversations SET last_message = $2, last_message_at = $3, last_inbound_at = $4,
			inbound_count = $5, updated_at = $6 WHERE id = $1`,
		convID, sealed, nullTime(a.LastMessageAt), nullTime(a.LastInboundAt), a.InboundCount, a.UpdatedAt); err != nil {
		return fmt.Errorf("update conversation: %w", err)
	}
	return nil
}

// CreateOutboundMessage stores m as pending with its outbox entry and moves
// the conversation's preview forward, in one transaction.
func (db *DB) CreateOutboundMessage(ctx context.Context, m *switchboard.Message) (*switchboard.Conversation, error) {
	if m == nil || m.ConversationID == "" {
		return nil, switchboard.ErrOutboundNoConversation
	}
	now := db.now()
	m.PrepareOutbound(now)
	m.Timestamp = utc(m.Timestamp)

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
				return switchboard.ErrIdempotencyKeyUsed
			}
		}
		if _, err := tx.Exec(ctx, `INSERT INTO outbox (message_id, conversation_id, channel_id, state, attempts, next_attempt_at, created_at, ts)
			VALUES ($1, $2, $3, 'pending', 0, $4, $4, $5)`, m.ID, m.ConversationID, channelID, now, m.Timestamp); err != nil {
			return fmt.Errorf("insert outbox: %w", err)
		}
		if err := db.advanceConversation(ctx, tx, m.ConversationID, keyID, m); err != nil {
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
