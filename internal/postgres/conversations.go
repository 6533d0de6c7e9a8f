package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/internal/storekit"
)

// conversationSelect reads a conversation with its contact and the unread
// count of the viewer ($1). Callers append WHERE, ORDER BY and LIMIT.
const conversationSelect = `SELECT c.id, c.channel_id, c.status, c.key_id, c.last_message, c.last_inbound_at,
	GREATEST(c.inbound_count - coalesce(r.read_count, 0), 0), c.created_at, c.updated_at,
	ct.id, ct.key_id, ct.wa_id, ct.name, ct.created_at, ct.user_id, ct.parent_user_id, ct.username,
	c.handler, c.handoff_note, c.handoff_at, c.handoff_by, c.bot_failures, ct.blocked_at, ct.blocked_by, c.snoozed_until
FROM conversations c
JOIN contacts ct ON ct.id = c.contact_id
LEFT JOIN conversation_reads r ON r.conversation_id = c.id AND r.user_id = $1`

// scanConversation reads a row of conversationSelect and opens its sealed
// fields. Assignees are filled by loadAssignees.
func (db *DB) scanConversation(ctx context.Context, row pgx.Row) (*switchboard.Conversation, error) {
	var c switchboard.Conversation
	var keyID, contactKeyID string
	var lastMessage, waID, name, userID, parentUserID, username []byte
	var lastInbound, handoffAt, blockedAt *time.Time
	var handoffNote []byte
	var handoffBy string
	var botFailures int
	var blockedBy *string
	if err := row.Scan(&c.ID, &c.ChannelID, &c.Status, &keyID, &lastMessage, &lastInbound,
		&c.UnreadCount, &c.CreatedAt, &c.UpdatedAt,
		&c.Contact.ID, &contactKeyID, &waID, &name, &c.Contact.CreatedAt, &userID, &parentUserID, &username,
		&c.Handler, &handoffNote, &handoffAt, &handoffBy, &botFailures, &blockedAt, &blockedBy, &c.SnoozedUntil); err != nil {
		return nil, err
	}
	if c.SnoozedUntil != nil {
		u := c.SnoozedUntil.UTC()
		c.SnoozedUntil = &u
	}
	if err := db.codec.OpenHandoff(ctx, keyID, &c, handoffNote, fromNull(handoffAt), handoffBy, botFailures); err != nil {
		return nil, err
	}
	setBlock(&c.Contact, blockedAt, blockedBy)
	if err := db.codec.OpenContactIDs(ctx, contactKeyID, &c.Contact, userID, parentUserID, username); err != nil {
		return nil, err
	}
	c.LastInboundAt = fromNull(lastInbound)
	c.KeyID = keyID
	c.CreatedAt, c.UpdatedAt, c.Contact.CreatedAt = c.CreatedAt.UTC(), c.UpdatedAt.UTC(), c.Contact.CreatedAt.UTC()
	c.Contact.ChannelID = c.ChannelID
	if err := db.openContact(ctx, &c.Contact, contactKeyID, waID, name); err != nil {
		return nil, err
	}
	if lastMessage != nil {
		var p switchboard.MessagePreview
		if err := db.codec.OpenJSON(ctx, keyID, "conversations", "last_message", c.ID, lastMessage, &p); err != nil {
			return nil, err
		}
		p.At = p.At.UTC()
		c.LastMessage = &p
	}
	c.Assignees = []switchboard.UserRef{}
	return &c, nil
}

func (db *DB) openContact(ctx context.Context, ct *switchboard.Contact, keyID string, waID, name []byte) error {
	b, err := db.codec.Open(ctx, keyID, "contacts", "wa_id", ct.ID, waID)
	if err != nil {
		return err
	}
	ct.WaID = string(b)
	if b, err = db.codec.Open(ctx, keyID, "contacts", "name", ct.ID, name); err != nil {
		return err
	}
	ct.Name = string(b)
	return nil
}

// loadAssignees fills the assignees of convs, sorted by name, and the
// users with an active mention.
func loadAssignees(ctx context.Context, q querier, convs ...*switchboard.Conversation) error {
	if len(convs) == 0 {
		return nil
	}
	byID := make(map[string]*switchboard.Conversation, len(convs))
	ids := make([]string, len(convs))
	for i, c := range convs {
		byID[c.ID], ids[i] = c, c.ID
	}
	rows, err := q.Query(ctx, `SELECT a.conversation_id, u.id, u.name, u.active
		FROM conversation_assignees a JOIN users u ON u.id = a.user_id
		WHERE a.conversation_id = ANY($1) ORDER BY u.name, u.id`, ids)
	if err != nil {
		return fmt.Errorf("list assignees: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var convID string
		var ref switchboard.UserRef
		var active bool
		if err := rows.Scan(&convID, &ref.ID, &ref.Name, &active); err != nil {
			return fmt.Errorf("scan assignee: %w", err)
		}
		ref.Deactivated = !active
		c := byID[convID]
		c.Assignees = append(c.Assignees, ref)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("list assignees: %w", err)
	}
	rows.Close()
	if err := loadTeamsOf(ctx, q, byID, ids); err != nil {
		return err
	}
	if err := loadLabels(ctx, q, byID, ids); err != nil {
		return err
	}
	return loadMentions(ctx, q, byID, ids)
}

// loadConversation reads one conversation through q (the pool or a
// transaction that has just changed it).
func (db *DB) loadConversation(ctx context.Context, q querier, id, viewerID string) (*switchboard.Conversation, error) {
	c, err := db.scanConversation(ctx, q.QueryRow(ctx, conversationSelect+` WHERE c.id = $2`, viewerID, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, switchboard.NotFound("Conversation")
	} else if err != nil {
		return nil, fmt.Errorf("get conversation: %w", err)
	}
	if err := loadAssignees(ctx, q, c); err != nil {
		return nil, err
	}
	return c, nil
}

// Conversation returns one conversation with viewerID's unread count.
func (db *DB) Conversation(ctx context.Context, id, viewerID string) (*switchboard.Conversation, error) {
	return db.loadConversation(ctx, db.pool, id, viewerID)
}

// Conversations lists conversations by newest activity. Every filter value
// is either checked against an allow-list or passed as a parameter.
func (db *DB) Conversations(ctx context.Context, f switchboard.ConversationFilter) ([]*switchboard.Conversation, string, error) {
	args := []any{f.ViewerID}
	arg := func(v any) string {
		args = append(args, v)
		return fmt.Sprintf("$%d", len(args))
	}
	if err := f.Validate(); err != nil {
		return nil, "", err
	}
	var where []string
	switch f.Assignment {
	case "", switchboard.AssignmentAll:
	// Only active assignees count (switchboard.Conversation.Unassigned).
	case switchboard.AssignmentUnassigned:
		where = append(where, `NOT EXISTS (SELECT 1 FROM conversation_assignees a JOIN users u ON u.id = a.user_id AND u.active
			WHERE a.conversation_id = c.id)`)
	case switchboard.AssignmentAssigned:
		where = append(where, `EXISTS (SELECT 1 FROM conversation_assignees a JOIN users u ON u.id = a.user_id AND u.active
			WHERE a.conversation_id = c.id)`)
	case switchboard.AssignmentMine:
		where = append(where, `EXISTS (SELECT 1 FROM conversation_assignees a WHERE a.conversation_id = c.id AND a.user_id = `+arg(f.ViewerID)+`)`)
	}
	if f.Status != "" {
		where = append(where, `c.status = `+arg(f.Status))
	}
	switch {
	case f.OnlyAssignedTo != "" && f.Status != "":
		// The assignments' copy of their conversation's status
		// (migration 0024) narrows them before any conversation is read.
		p := arg(f.OnlyAssignedTo)
		where = append(where, `c.id IN (SELECT a.conversation_id FROM conversation_assignees a WHERE a.user_id = `+p+` AND a.status = `+arg(f.Status)+`
			UNION SELECT cm.conversation_id FROM conversation_mentions cm WHERE cm.user_id = `+p+`
			UNION `+teamConversations(p)+`)`)
	case f.OnlyAssignedTo != "":
		where = append(where, visibleTo(arg(f.OnlyAssignedTo)))
	}
	if f.TeamID != "" {
		where = append(where, `c.id IN (SELECT ct.conversation_id FROM conversation_teams ct WHERE ct.team_id = `+arg(f.TeamID)+`)`)
	}
	if f.ChannelIDs != nil {
		where = append(where, `c.channel_id = ANY(`+arg(f.ChannelIDs)+`)`)
	}
	if strings.TrimSpace(f.Query) != "" {
		terms, err := db.codec.SearchTerms(f.Query)
		if err != nil {
			return nil, "", err
		}
		// A contact matches when it has every term of the query.
		where = append(where, contactTermsWhere(arg(terms), arg(len(terms))))
	}
	where = narrowList(f, where, arg)
	cursor, order, err := listOrder(f, arg)
	if err != nil {
		return nil, "", err
	}
	if cursor != "" {
		where = append(where, cursor)
	}
	limit := storekit.ClampLimit(f.Limit)
	sql := conversationSelect
	if len(where) > 0 {
		sql += ` WHERE ` + strings.Join(where, ` AND `)
	}
	sql += ` ORDER BY ` + order + ` LIMIT ` + arg(limit+1)

	rows, err := db.pool.Query(ctx, sql, args...)
	if err != nil {
		return nil, "", fmt.Errorf("list conversations: %w", err)
	}
	defer rows.Close()
	convs, err := storekit.Collect(rows, func() (*switchboard.Conversation, error) { return db.scanConversation(ctx, rows) })
	if err != nil {
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
	if err := loadAssignees(ctx, db.pool, convs...); err != nil {
		return nil, "", err
	}
	return storekit.KeepPhoneMatches(f.Query, convs), next, nil
}

// SetConversationStatus sets a conversation's status and clears its
// snooze time. It does not change updated_at, which tracks message
// activity. Reopening fails with EConflict while the contact has another
// active conversation.
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
	rows, err := db.pool.Query(ctx, `SELECT id FROM conversations WHERE snoozed_until IS NOT NULL AND snoozed_until <= $1
		ORDER BY snoozed_until, id LIMIT $2`, now, limit)
	if err != nil {
		return nil, fmt.Errorf("due snoozes: %w", err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("due snoozes: %w", err)
	}
	return ids, nil
}

// setStatus sets status and snoozed_until; with a non-zero due it changes
// only a conversation snoozed until due or earlier, and reports whether it
// did (a miss is not an error then).
func (db *DB) setStatus(ctx context.Context, id string, status switchboard.ConversationStatus, until *time.Time, due time.Time) (*switchboard.Conversation, bool, error) {
	var c *switchboard.Conversation
	changed := true
	err := db.withTx(ctx, func(tx *txn) error {
		q := `UPDATE conversations SET status = $2, snoozed_until = $3 WHERE id = $1`
		args := []any{id, status, until}
		if !due.IsZero() {
			q += ` AND status = 'snoozed' AND snoozed_until <= $4`
			args = append(args, due)
		}
		tag, err := tx.Exec(ctx, q, args...)
		if code, _ := pgError(err); code == uniqueViolation {
			return switchboard.Errorf(switchboard.EConflict, "The contact already has an active conversation.")
		} else if err != nil {
			return fmt.Errorf("set conversation status: %w", err)
		} else if tag.RowsAffected() == 0 {
			if due.IsZero() {
				return switchboard.NotFound("Conversation")
			}
			changed = false
			switchboard.SkipAuditEntry(ctx)
		}
		// Resolving a conversation ends its mentions.
		if changed && status == switchboard.StatusResolved {
			if _, err := tx.Exec(ctx, `DELETE FROM conversation_mentions WHERE conversation_id = $1`, id); err != nil {
				return fmt.Errorf("end mentions: %w", err)
			}
		}
		c, err = db.loadConversation(ctx, tx, id, "")
		return err
	})
	if err != nil {
		return nil, false, err
	}
	return c, changed, nil
}

// AddAssignee assigns userID to the conversation. It is idempotent and
// reports whether anything changed; the list order (updated_at) stays.
func (db *DB) AddAssignee(ctx context.Context, conversationID, userID string, at time.Time) (*switchboard.Conversation, bool, error) {
	var c *switchboard.Conversation
	var changed bool
	err := db.withTx(ctx, func(tx *txn) error {
		var exists bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM conversations WHERE id = $1)`, conversationID).Scan(&exists); err != nil {
			return fmt.Errorf("get conversation: %w", err)
		} else if !exists {
			return switchboard.NotFound("Conversation")
		}
		tag, err := tx.Exec(ctx, `INSERT INTO conversation_assignees (conversation_id, user_id, assigned_at) VALUES ($1, $2, $3)
			ON CONFLICT DO NOTHING`, conversationID, userID, utc(at))
		if code, _ := pgError(err); code == foreignKeyViolation {
			return switchboard.NotFound("User")
		} else if err != nil {
			return fmt.Errorf("add assignee: %w", err)
		}
		changed = tag.RowsAffected() == 1
		if !changed {
			switchboard.SkipAuditEntry(ctx)
		}
		c, err = db.loadConversation(ctx, tx, conversationID, "")
		return err
	})
	if err != nil {
		return nil, false, err
	}
	return c, changed, nil
}

// RemoveAssignee unassigns userID. It is idempotent and reports whether
// anything changed.
func (db *DB) RemoveAssignee(ctx context.Context, conversationID, userID string, at time.Time) (*switchboard.Conversation, bool, error) {
	var c *switchboard.Conversation
	var changed bool
	err := db.withTx(ctx, func(tx *txn) error {
		tag, err := tx.Exec(ctx, `DELETE FROM conversation_assignees WHERE conversation_id = $1 AND user_id = $2`, conversationID, userID)
		if err != nil {
			return fmt.Errorf("remove assignee: %w", err)
		}
		changed = tag.RowsAffected() == 1
		if !changed {
			switchboard.SkipAuditEntry(ctx)
		}
		c, err = db.loadConversation(ctx, tx, conversationID, "")
		return err
	})
	if err != nil {
		return nil, false, err
	}
	return c, changed, nil
}

// MarkRead records that userID has read every inbound message so far.
func (db *DB) MarkRead(ctx context.Context, conversationID, userID string) error {
	tag, err := db.pool.Exec(ctx, `INSERT INTO conversation_reads (conversation_id, user_id, read_count)
		SELECT id, $2, inbound_count FROM conversations WHERE id = $1
		ON CONFLICT (conversation_id, user_id) DO UPDATE SET read_count = GREATEST(conversation_reads.read_count, EXCLUDED.read_count)`,
		conversationID, userID)
	if code, _ := pgError(err); code == foreignKeyViolation {
		return switchboard.NotFound("User")
	} else if err != nil {
		return fmt.Errorf("mark read: %w", err)
	} else if tag.RowsAffected() == 0 {
		return switchboard.NotFound("Conversation")
	}
	return nil
}
