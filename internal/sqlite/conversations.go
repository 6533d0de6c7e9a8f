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
	"github.com/switchboardhq/switchboard/internal/storekit"
)

// convSelect reads a conversation with its contact and the viewer's read
// count; the viewer id is the first argument.
const convSelect = `SELECT c.id, c.channel_id, c.status, c.key_id, c.last_message, c.last_inbound_at, c.inbound_count,
	c.created_at, c.updated_at, ct.id, ct.key_id, ct.wa_id, ct.name, ct.created_at, COALESCE(r.read_count, 0),
	ct.user_id, ct.parent_user_id, ct.username, c.handler, c.handoff_note, c.handoff_at, c.handoff_by, c.bot_failures, ct.blocked_at, ct.blocked_by,
	c.snoozed_until
FROM conversations c
JOIN contacts ct ON ct.id = c.contact_id
LEFT JOIN conversation_reads r ON r.conversation_id = c.id AND r.user_id = ?`

func (db *DB) scanConversation(ctx context.Context, row interface{ Scan(...any) error }) (*switchboard.Conversation, error) {
	var c switchboard.Conversation
	var convKey, contactKey string
	var lastMessage, waID, name, userID, parentUserID, username []byte
	var lastInbound, created, updated, contactCreated sql.NullInt64
	var inbound, read int
	var handoffNote []byte
	var handoffAt, blockedAt sql.NullInt64
	var handoffBy string
	var botFailures int
	var blockedBy sql.NullString
	var snoozedUntil sql.NullInt64
	if err := row.Scan(&c.ID, &c.ChannelID, &c.Status, &convKey, &lastMessage, &lastInbound, &inbound,
		&created, &updated, &c.Contact.ID, &contactKey, &waID, &name, &contactCreated, &read,
		&userID, &parentUserID, &username, &c.Handler, &handoffNote, &handoffAt, &handoffBy, &botFailures, &blockedAt, &blockedBy, &snoozedUntil); err != nil {
		return nil, err
	}
	if snoozedUntil.Valid {
		u := fromMicros(snoozedUntil)
		c.SnoozedUntil = &u
	}
	if err := db.codec.OpenHandoff(ctx, convKey, &c, handoffNote, fromMicros(handoffAt), handoffBy, botFailures); err != nil {
		return nil, err
	}
	setBlock(&c.Contact, blockedAt, blockedBy)
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

// fillAssignees loads the assignees of convs, sorted by name, and the
// users with an active mention.
func (db *DB) fillAssignees(ctx context.Context, q querier, convs []*switchboard.Conversation) error {
	byID := make(map[string]*switchboard.Conversation, len(convs))
	ids := make([]string, len(convs))
	for i, c := range convs {
		byID[c.ID], ids[i] = c, c.ID
	}
	if err := eachAssignee(ctx, q, ids, func(convID string, ref switchboard.UserRef) {
		c := byID[convID]
		c.Assignees = append(c.Assignees, ref)
	}); err != nil {
		return err
	}
	if err := eachTeamOf(ctx, q, ids, byID); err != nil {
		return err
	}
	if err := fillLabels(ctx, q, convs); err != nil {
		return err
	}
	return eachMention(ctx, q, ids, func(convID, userID string) {
		c := byID[convID]
		c.Mentioned = append(c.Mentioned, userID)
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
		if f.Status != "" {
			// The assignments' copy of their conversation's status
			// (migration 0024) narrows them before any conversation is read.
			where = append(where, `c.id IN (SELECT a.conversation_id FROM conversation_assignees a WHERE a.user_id = ? AND a.status = ?
				UNION SELECT cm.conversation_id FROM conversation_mentions cm WHERE cm.user_id = ?
				UNION `+teamConversations+`)`)
			args = append(args, f.OnlyAssignedTo, f.Status, f.OnlyAssignedTo, f.OnlyAssignedTo)
		} else {
			where, args = append(where, visibleTo), append(args, visibleArgs(f.OnlyAssignedTo)...)
		}
	}
	if f.TeamID != "" {
		where, args = append(where, "c.id IN (SELECT ct.conversation_id FROM conversation_teams ct WHERE ct.team_id = ?)"), append(args, f.TeamID)
	}
	if f.ChannelIDs != nil {
		if len(f.ChannelIDs) == 0 {
			return empty, "", nil
		}
		// For a user limited to their conversations, the unary + keeps
		// SQLite from reading every conversation of the channels through
		// their index instead of the user's few (visibleTo).
		channel := "c.channel_id"
		if f.OnlyAssignedTo != "" {
			channel = "+c.channel_id"
		}
		where = append(where, channel+" IN ("+placeholders(len(f.ChannelIDs))+")")
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
			where = append(where, contactTermsWhere)
			args = append(args, t)
		}
	}
	where, args = narrowList(f, where, args)
	cursor, cursorArgs, order, err := listOrder(f)
	if err != nil {
		return nil, "", err
	}
	if cursor != "" {
		where, args = append(where, cursor), append(args, cursorArgs...)
	}
	limit := storekit.ClampLimit(f.Limit)
	args = append(args, limit+1)

	rows, err := db.rdb.QueryContext(ctx, convSelect+` WHERE `+strings.Join(where, " AND ")+`
		ORDER BY `+order+` LIMIT ?`, args...)
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
	more := len(convs) > limit
	convs, _ = storekit.Page(convs, limit, storekit.ConversationCursor)
	next := ""
	if more {
		if next, err = db.pageCursor(ctx, f, convs[len(convs)-1]); err != nil {
			return nil, "", err
		}
	}
	if err := db.fillAssignees(ctx, db.rdb, convs); err != nil {
		return nil, "", err
	}
	return storekit.KeepPhoneMatches(f.Query, convs), next, nil
}

// SetConversationStatus sets a conversation's status and clears its
// snooze time. It does not change updated_at: the list is ordered by
// message activity.
func (db *DB) SetConversationStatus(ctx context.Context, id string, status switchboard.ConversationStatus, at time.Time) (*switchboard.Conversation, error) {
	if !status.Valid() {
		return nil, switchboard.ErrInvalidStatus
	}
	c, _, err := db.setStatus(ctx, id, status, nil, time.Time{})
	return c, err
}

// SnoozeConversation snoozes a conversation until until (nil: until the
// customer writes).
func (db *DB) SnoozeConversation(ctx context.Context, id string, until *time.Time, at time.Time) (*switchboard.Conversation, error) {
	c, _, err := db.setStatus(ctx, id, switchboard.StatusSnoozed, until, time.Time{})
	return c, err
}

// WakeSnoozed opens the conversation if it is snoozed until now or
// earlier; it reports whether it did.
func (db *DB) WakeSnoozed(ctx context.Context, id string, now time.Time) (*switchboard.Conversation, bool, error) {
	return db.setStatus(ctx, id, switchboard.StatusOpen, nil, now)
}

// DueSnoozes returns the conversations whose snooze time has come, the
// earliest first.
func (db *DB) DueSnoozes(ctx context.Context, now time.Time, limit int) ([]string, error) {
	rows, err := db.rdb.QueryContext(ctx, `SELECT id FROM conversations WHERE snoozed_until IS NOT NULL AND snoozed_until <= ?
		ORDER BY snoozed_until, id LIMIT ?`, micros(now), limit)
	if err != nil {
		return nil, fmt.Errorf("due snoozes: %w", err)
	}
	defer rows.Close()
	ids := []string{}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("due snoozes: %w", err)
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("due snoozes: %w", err)
	}
	return ids, nil
}

// setStatus sets status and snoozed_until; with a non-zero due it changes
// only a conversation snoozed until due or earlier, and reports whether it
// did (a miss is not an error then).
func (db *DB) setStatus(ctx context.Context, id string, status switchboard.ConversationStatus, until *time.Time, due time.Time) (*switchboard.Conversation, bool, error) {
	var out *switchboard.Conversation
	changed := true
	var snooze any
	if until != nil {
		snooze = micros(*until)
	}
	err := db.write(ctx, func(ctx context.Context, tx *writeTx) error {
		q := `UPDATE conversations SET status = ?, snoozed_until = ? WHERE id = ?`
		args := []any{status, snooze, id}
		if !due.IsZero() {
			q += ` AND status = 'snoozed' AND snoozed_until <= ?`
			args = append(args, micros(due))
		}
		res, err := tx.ExecContext(ctx, q, args...)
		if isUnique(err) {
			return switchboard.Errorf(switchboard.EConflict, "The contact already has an active conversation.")
		} else if err != nil {
			return fmt.Errorf("set conversation status: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			if due.IsZero() {
				return switchboard.NotFound("Conversation")
			}
			changed = false
			switchboard.SkipAuditEntry(ctx)
		}
		// Resolving a conversation ends its mentions.
		if changed && status == switchboard.StatusResolved {
			if _, err := tx.ExecContext(ctx, `DELETE FROM conversation_mentions WHERE conversation_id = ?`, id); err != nil {
				return fmt.Errorf("end mentions: %w", err)
			}
		}
		out, err = db.conversation(ctx, tx, id, "")
		return err
	})
	if err != nil {
		return nil, false, err
	}
	return out, changed, nil
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
		if !changed {
			switchboard.SkipAuditEntry(ctx)
		}
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
		if !changed {
			switchboard.SkipAuditEntry(ctx)
		}
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
