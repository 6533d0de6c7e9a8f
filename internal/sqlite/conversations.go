package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/internal/storecrypt"
	"github.com/switchboardhq/switchboard/internal/storekit"
)

// convSelect reads a conversation with its contact and the viewer's read
// count; the viewer id is the first argument.
const convSelect = `SELECT c.id, c.channel_id, c.status, c.key_id, c.last_message, c.last_inbound_at, c.inbound_count,
	c.created_at, c.updated_at, ct.id, ct.key_id, ct.wa_id, ct.name, ct.created_at, COALESCE(r.read_count, 0),
	ct.user_id, ct.parent_user_id, ct.username
FROM conversations c
JOIN contacts ct ON ct.id = c.contact_id
LEFT JOIN conversation_reads r ON r.conversation_id = c.id AND r.user_id = ?`

func (db *DB) scanConversation(ctx context.Context, row interface{ Scan(...any) error }) (*switchboard.Conversation, error) {
	var c switchboard.Conversation
	var convKey, contactKey string
	var lastMessage, waID, name, userID, parentUserID, username []byte
	var lastInbound, created, updated, contactCreated sql.NullInt64
	var inbound, read int
	if err := row.Scan(&c.ID, &c.ChannelID, &c.Status, &convKey, &lastMessage, &lastInbound, &inbound,
		&created, &updated, &c.Contact.ID, &contactKey, &waID, &name, &contactCreated, &read,
		&userID, &parentUserID, &username); err != nil {
		return nil, err
	}
	if err := db.codec.OpenContactIDs(ctx, contactKey, &c.Contact, userID, parentUserID, username); err != nil {
		return nil, err
	}
	c.Contact.ChannelID = c.ChannelID
	c.KeyID = contactKey
	plainWaID, err := db.codec.Open(ctx, contactKey, "contacts", "wa_id", c.Contact.ID, waID)
	if err != nil {
		return nil, err
	}
	plainName, err := db.codec.Open(ctx, contactKey, "contacts", "name", c.Contact.ID, name)
	if err != nil {
		return nil, err
	}
	c.Contact.WaID, c.Contact.Name = string(plainWaID), string(plainName)
	c.Contact.CreatedAt = fromMicros(contactCreated)
	if lastMessage != nil {
		var p switchboard.MessagePreview
		if err := db.codec.OpenJSON(ctx, convKey, "conversations", "last_message", c.ID, lastMessage, &p); err != nil {
			return nil, err
		}
		p.At = utc(p.At)
		c.LastMessage = &p
	}
	c.LastInboundAt, c.CreatedAt, c.UpdatedAt = fromMicros(lastInbound), fromMicros(created), fromMicros(updated)
	c.UnreadCount = max(inbound-read, 0)
	c.Assignees = []switchboard.UserRef{}
	return &c, nil
}

// fillAssignees loads the assignees of convs, sorted by name.
func (db *DB) fillAssignees(ctx context.Context, q querier, convs []*switchboard.Conversation) error {
	byID := make(map[string]*switchboard.Conversation, len(convs))
	ids := make([]string, len(convs))
	for i, c := range convs {
		byID[c.ID], ids[i] = c, c.ID
	}
	return eachAssignee(ctx, q, ids, func(convID string, ref switchboard.UserRef) {
		c := byID[convID]
		c.Assignees = append(c.Assignees, ref)
	})
}

// eachAssignee calls fn for every assignee of the conversations ids,
// sorted by name. The ids go in as one JSON array, so any number fits in
// one statement.
func eachAssignee(ctx context.Context, q querier, ids []string, fn func(convID string, ref switchboard.UserRef)) error {
	if len(ids) == 0 {
		return nil
	}
	arg, err := json.Marshal(ids)
	if err != nil {
		return err
	}
	rows, err := q.QueryContext(ctx, `SELECT a.conversation_id, u.id, u.name, u.active
		FROM conversation_assignees a JOIN users u ON u.id = a.user_id
		WHERE a.conversation_id IN (SELECT value FROM json_each(?))
		ORDER BY u.name, u.id`, string(arg))
	if err != nil {
		return fmt.Errorf("list assignees: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var convID string
		var ref switchboard.UserRef
		var active bool
		if err := rows.Scan(&convID, &ref.ID, &ref.Name, &active); err != nil {
			return fmt.Errorf("list assignees: %w", err)
		}
		ref.Deactivated = !active
		fn(convID, ref)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("list assignees: %w", err)
	}
	return nil
}

func (db *DB) conversation(ctx context.Context, q querier, id, viewerID string) (*switchboard.Conversation, error) {
	c, err := db.scanConversation(ctx, q.QueryRowContext(ctx, convSelect+` WHERE c.id = ?`, viewerID, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, switchboard.NotFound("Conversation")
	} else if err != nil {
		return nil, fmt.Errorf("get conversation: %w", err)
	}
	if err := db.fillAssignees(ctx, q, []*switchboard.Conversation{c}); err != nil {
		return nil, err
	}
	return c, nil
}

// Conversation returns one conversation with viewerID's unread count.
func (db *DB) Conversation(ctx context.Context, id, viewerID string) (*switchboard.Conversation, error) {
	return db.conversation(ctx, db.rdb, id, viewerID)
}

// Conversations lists conversations by newest activity (updated_at, id
// descending) with a keyset cursor, so pages stay stable while new
// conversations arrive.
func (db *DB) Conversations(ctx context.Context, f switchboard.ConversationFilter) ([]*switchboard.Conversation, string, error) {
	where := []string{"1 = 1"}
	args := []any{f.ViewerID}
	empty := []*switchboard.Conversation{}
	if err := f.Validate(); err != nil {
		return nil, "", err
	}
	if f.Status != "" {
		where, args = append(where, "c.status = ?"), append(args, f.Status)
	}

	const assigned = `EXISTS (SELECT 1 FROM conversation_assignees a WHERE a.conversation_id = c.id`
	// Only active assignees count (switchboard.Conversation.Unassigned).
	const answered = `EXISTS (SELECT 1 FROM conversation_assignees a JOIN users u ON u.id = a.user_id AND u.active
		WHERE a.conversation_id = c.id)`
	switch f.Assignment {
	case "", switchboard.AssignmentAll:
	case switchboard.AssignmentUnassigned:
		where = append(where, "NOT "+answered)
	case switchboard.AssignmentAssigned:
		where = append(where, answered)
	case switchboard.AssignmentMine:
		where, args = append(where, assigned+" AND a.user_id = ?)"), append(args, f.ViewerID)
	}
	if f.OnlyAssignedTo != "" {
		where, args = append(where, assigned+" AND a.user_id = ?)"), append(args, f.OnlyAssignedTo)
	}
	if f.ChannelIDs != nil {
		if len(f.ChannelIDs) == 0 {
			return empty, "", nil
		}
		where = append(where, "c.channel_id IN ("+placeholders(len(f.ChannelIDs))+")")
		for _, id := range f.ChannelIDs {
			args = append(args, id)
		}
	}
	if q := strings.TrimSpace(f.Query); q != "" {
		terms, err := db.codec.SearchTerms(q)
		if err != nil {
			return nil, "", err
		}
		for _, t := range terms {
			where = append(where, "c.contact_id IN (SELECT t.contact_id FROM contact_terms t WHERE t.term = ?)")
			args = append(args, t)
		}
	}
	if f.Cursor != "" {
		at, id, err := storecrypt.DecodeCursor(f.Cursor)
		if err != nil {
			return nil, "", err
		}
		// Written so that SQLite can range-scan the (updated_at, id) index.
		m := micros(at)
		where = append(where, "c.updated_at <= ? AND (c.updated_at < ? OR c.id < ?)")
		args = append(args, m, m, id)
	}
	limit := storekit.ClampLimit(f.Limit)
	args = append(args, limit+1)

	rows, err := db.rdb.QueryContext(ctx, convSelect+` WHERE `+strings.Join(where, " AND ")+`
		ORDER BY c.updated_at DESC, c.id DESC LIMIT ?`, args...)
	if err != nil {
		return nil, "", fmt.Errorf("list conversations: %w", err)
	}
	convs := empty
	for rows.Next() {
		c, err := db.scanConversation(ctx, rows)
		if err != nil {
			rows.Close()
			return nil, "", fmt.Errorf("list conversations: %w", err)
		}
		convs = append(convs, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, "", fmt.Errorf("list conversations: %w", err)
	}
	convs, next := storekit.Page(convs, limit, storekit.ConversationCursor)
	if err := db.fillAssignees(ctx, db.rdb, convs); err != nil {
		return nil, "", err
	}
	return convs, next, nil
}

// SetConversationStatus opens or closes a conversation. It does not change
// updated_at: the list is ordered by message activity.
func (db *DB) SetConversationStatus(ctx context.Context, id, status string, at time.Time) (*switchboard.Conversation, error) {
	if status != switchboard.StatusOpen && status != switchboard.StatusClosed {
		return nil, switchboard.Errorf(switchboard.EInvalid, "Invalid status.")
	}
	var out *switchboard.Conversation
	err := db.write(ctx, func(ctx context.Context, tx *writeTx) error {
		res, err := tx.ExecContext(ctx, `UPDATE conversations SET status = ? WHERE id = ?`, status, id)
		if isUnique(err) {
			return switchboard.Errorf(switchboard.EConflict, "The contact already has an open conversation.")
		} else if err != nil {
			return fmt.Errorf("set conversation status: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return switchboard.NotFound("Conversation")
		}
		out, err = db.conversation(ctx, tx, id, "")
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func conversationExists(ctx context.Context, q querier, id string) error {
	var ok bool
	if err := q.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM conversations WHERE id = ?)`, id).Scan(&ok); err != nil {
		return fmt.Errorf("check conversation: %w", err)
	}
	if !ok {
		return switchboard.NotFound("Conversation")
	}
	return nil
}

// AddAssignee assigns userID to the conversation; it reports whether the
// assignment is new. Assigning does not reorder the list.
func (db *DB) AddAssignee(ctx context.Context, conversationID, userID string, at time.Time) (*switchboard.Conversation, bool, error) {
	var out *switchboard.Conversation
	var changed bool
	err := db.write(ctx, func(ctx context.Context, tx *writeTx) error {
		if err := conversationExists(ctx, tx, conversationID); err != nil {
			return err
		}
		if _, err := db.findUser(ctx, tx, "id = ?", userID); err != nil {
			return err
		}
		if at.IsZero() {
			at = db.now()
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO conversation_assignees (conversation_id, user_id, assigned_at)
			VALUES (?, ?, ?) ON CONFLICT DO NOTHING`, conversationID, userID, micros(at))
		if err != nil {
			return fmt.Errorf("add assignee: %w", err)
		}
		n, _ := res.RowsAffected()
		changed = n > 0
		out, err = db.conversation(ctx, tx, conversationID, "")
		return err
	})
	if err != nil {
		return nil, false, err
	}
	return out, changed, nil
}

// RemoveAssignee unassigns userID; it reports whether they were assigned.
func (db *DB) RemoveAssignee(ctx context.Context, conversationID, userID string, at time.Time) (*switchboard.Conversation, bool, error) {
	var out *switchboard.Conversation
	var changed bool
	err := db.write(ctx, func(ctx context.Context, tx *writeTx) error {
		if err := conversationExists(ctx, tx, conversationID); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM conversation_assignees WHERE conversation_id = ? AND user_id = ?`, conversationID, userID)
		if err != nil {
			return fmt.Errorf("remove assignee: %w", err)
		}
		n, _ := res.RowsAffected()
		changed = n > 0
		out, err = db.conversation(ctx, tx, conversationID, "")
		return err
	})
	if err != nil {
		return nil, false, err
	}
	return out, changed, nil
}

// MarkRead records that userID has read every customer message so far.
func (db *DB) MarkRead(ctx context.Context, conversationID, userID string) error {
	return db.write(ctx, func(ctx context.Context, tx *writeTx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO conversation_reads (conversation_id, user_id, read_count)
			SELECT id, ?, inbound_count FROM conversations WHERE id = ?
			ON CONFLICT (conversation_id, user_id) DO UPDATE SET read_count = excluded.read_count`, userID, conversationID)
		if isConstraint(err, foreignKeyViolation) {
			return switchboard.NotFound("User")
		} else if err != nil {
			return fmt.Errorf("mark read: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return switchboard.NotFound("Conversation")
		}
		return nil
	})
}

// Messages.

const messageColumns = `id, conversation_id, key_id, direction, type, status, content, wa_message_id, reply_to_id,
	sender_id, error_code, error_title, error_details, ts, created_at, updated_at`

func (db *DB) scanMessage(ctx context.Context, row interface{ Scan(...any) error }) (*switchboard.Message, error) {
	var m switchboard.Message
	var keyID string
	var content, wamid []byte
	var errCode sql.NullInt64
	var errTitle, errDetails string
	var ts, created, updated sql.NullInt64
	if err := row.Scan(&m.ID, &m.ConversationID, &keyID, &m.Direction, &m.Type, &m.Status, &content, &wamid, &m.ReplyToID,
		&m.SenderID, &errCode, &errTitle, &errDetails, &ts, &created, &updated); err != nil {
		return nil, err
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
	_, err = tx.ExecContext(ctx, insertMessageSQL,
		m.ID, m.ConversationID, keyID, m.Direction, m.Type, m.Status, content, wamid, wamidHash, m.ReplyToID, m.SenderID,
		errCode, errTitle, errDetails, micros(m.Timestamp), micros(m.CreatedAt), micros(m.UpdatedAt))
	if isUnique(err) {
		return switchboard.Errorf(switchboard.EConflict, "Message already exists.")
	} else if err != nil {
		return fmt.Errorf("insert message: %w", err)
	}
	return nil
}

const insertMessageSQL = `INSERT INTO messages (id, conversation_id, key_id, direction, type, status, content,
		wa_message_id, wamid_hash, reply_to_id, sender_id, error_code, error_title, error_details, ts, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`

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

// putContactTerms replaces the search terms of a contact.
func (db *DB) putContactTerms(ctx context.Context, tx *writeTx, contactID, name, username, waID string) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM contact_terms WHERE contact_id = ?`, contactID); err != nil {
		return fmt.Errorf("delete contact terms: %w", err)
	}
	terms := db.codec.ContactTerms(name, username, waID)
	const chunk = 250
	for len(terms) > 0 {
		n := min(len(terms), chunk)
		args := make([]any, 0, 2*n)
		for _, t := range terms[:n] {
			args = append(args, t, contactID)
		}
		q := `INSERT OR IGNORE INTO contact_terms (term, contact_id) VALUES ` + strings.TrimSuffix(strings.Repeat("(?, ?), ", n), ", ")
		if _, err := tx.ExecContext(ctx, q, args...); err != nil {
			return fmt.Errorf("insert contact terms: %w", err)
		}
		terms = terms[n:]
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
