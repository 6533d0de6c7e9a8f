package postgres

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/internal/storecrypt"
)

// AddThreadEntry stores a note or an activity line sealed under the
// conversation's data key, and makes a note's mentions active.
func (db *DB) AddThreadEntry(ctx context.Context, e *switchboard.ThreadEntry) (*switchboard.Conversation, error) {
	n := *e
	if err := n.Prepare(db.now()); err != nil {
		return nil, err
	}
	var out *switchboard.Conversation
	err := db.withTx(ctx, func(tx *txn) error {
		var keyID string
		err := tx.QueryRow(ctx, `SELECT key_id FROM conversations WHERE id = $1 FOR SHARE`, n.ConversationID).Scan(&keyID)
		if errors.Is(err, pgx.ErrNoRows) {
			return switchboard.NotFound("Conversation")
		} else if err != nil {
			return fmt.Errorf("add thread entry: %w", err)
		}
		if err := db.insertThreadEntry(ctx, tx, keyID, &n); err != nil {
			return err
		}
		out, err = db.loadConversation(ctx, tx, n.ConversationID, "")
		return err
	})
	if err != nil {
		return nil, err
	}
	*e = n
	return out, nil
}

// insertThreadEntry inserts the prepared entry n sealed under keyID, the
// conversation's data key, with its search terms and mentions.
func (db *DB) insertThreadEntry(ctx context.Context, tx *txn, keyID string, n *switchboard.ThreadEntry) error {
	body, err := db.codec.SealJSON(ctx, keyID, "thread_entries", "body", n.ID, n.Sealed())
	if err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `INSERT INTO thread_entries (id, conversation_id, kind, author_id, key_id, body, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`, n.ID, n.ConversationID, n.Kind, n.AuthorID, keyID, body, n.CreatedAt); err != nil {
		if code, _ := pgError(err); code == uniqueViolation {
			return switchboard.Errorf(switchboard.EConflict, "Thread entry already exists.")
		}
		return fmt.Errorf("add thread entry: %w", err)
	}
	if err := db.indexNote(ctx, tx, n); err != nil {
		return err
	}
	if len(n.Mentions) > 0 {
		if _, err := tx.Exec(ctx, `INSERT INTO conversation_mentions (conversation_id, user_id, note_id, mentioned_by, created_at)
			SELECT $1, id, $2, $3, $4 FROM users WHERE id = ANY($5)
			ON CONFLICT (conversation_id, user_id) DO UPDATE SET note_id = excluded.note_id,
				mentioned_by = excluded.mentioned_by, created_at = excluded.created_at, read_at = NULL`,
			n.ConversationID, n.ID, n.AuthorID, n.CreatedAt, n.Mentions); err != nil {
			return fmt.Errorf("add mention: %w", err)
		}
	}
	return nil
}

// ThreadEntries returns a conversation's entries in time order between
// from and the message page cursor before.
func (db *DB) ThreadEntries(ctx context.Context, conversationID string, from time.Time, before string) ([]*switchboard.ThreadEntry, error) {
	q := `SELECT id, conversation_id, kind, author_id, key_id, body, created_at FROM thread_entries WHERE conversation_id = $1`
	args := []any{conversationID}
	if !from.IsZero() {
		args = append(args, utc(from))
		q += fmt.Sprintf(` AND created_at >= $%d`, len(args))
	}
	if before != "" {
		at, _, err := storecrypt.DecodeCursor(before)
		if err != nil {
			return nil, err
		}
		args = append(args, utc(at))
		q += fmt.Sprintf(` AND created_at < $%d`, len(args))
	}
	args = append(args, switchboard.MaxThreadEntries)
	rows, err := db.pool.Query(ctx, q+fmt.Sprintf(` ORDER BY created_at DESC, id DESC LIMIT $%d`, len(args)), args...)
	if err != nil {
		return nil, fmt.Errorf("list thread entries: %w", err)
	}
	defer rows.Close()
	out := []*switchboard.ThreadEntry{}
	for rows.Next() {
		var e switchboard.ThreadEntry
		var keyID string
		var body []byte
		if err := rows.Scan(&e.ID, &e.ConversationID, &e.Kind, &e.AuthorID, &keyID, &body, &e.CreatedAt); err != nil {
			return nil, fmt.Errorf("list thread entries: %w", err)
		}
		var s switchboard.EntrySealed
		if err := db.codec.OpenJSON(ctx, keyID, "thread_entries", "body", e.ID, body, &s); err != nil {
			return nil, err
		}
		e.SetSealed(s)
		e.CreatedAt = e.CreatedAt.UTC()
		out = append(out, &e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list thread entries: %w", err)
	}
	slices.Reverse(out)
	return out, nil
}

// DismissMention ends a user's active mention in a conversation.
func (db *DB) DismissMention(ctx context.Context, conversationID, userID string) (*switchboard.Conversation, bool, error) {
	var out *switchboard.Conversation
	var changed bool
	err := db.withTx(ctx, func(tx *txn) error {
		tag, err := tx.Exec(ctx, `DELETE FROM conversation_mentions WHERE conversation_id = $1 AND user_id = $2`, conversationID, userID)
		if err != nil {
			return fmt.Errorf("dismiss mention: %w", err)
		}
		changed = tag.RowsAffected() > 0
		if !changed {
			switchboard.SkipAuditEntry(ctx)
		}
		out, err = db.loadConversation(ctx, tx, conversationID, "")
		return err
	})
	if err != nil {
		return nil, false, err
	}
	return out, changed, nil
}

// Mentions lists a user's active mentions, newest first.
func (db *DB) Mentions(ctx context.Context, userID string) ([]*switchboard.Mention, error) {
	rows, err := db.pool.Query(ctx, `SELECT conversation_id, user_id, note_id, mentioned_by, created_at, read_at
		FROM conversation_mentions WHERE user_id = $1 ORDER BY created_at DESC, conversation_id DESC LIMIT 200`, userID)
	if err != nil {
		return nil, fmt.Errorf("list mentions: %w", err)
	}
	defer rows.Close()
	out := []*switchboard.Mention{}
	for rows.Next() {
		var m switchboard.Mention
		if err := rows.Scan(&m.ConversationID, &m.UserID, &m.NoteID, &m.By, &m.At, &m.ReadAt); err != nil {
			return nil, fmt.Errorf("list mentions: %w", err)
		}
		m.At = m.At.UTC()
		if m.ReadAt != nil {
			r := m.ReadAt.UTC()
			m.ReadAt = &r
		}
		out = append(out, &m)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list mentions: %w", err)
	}
	return out, nil
}

// MarkMentionRead marks a user's active mention in a conversation read.
func (db *DB) MarkMentionRead(ctx context.Context, conversationID, userID string, at time.Time) (bool, error) {
	tag, err := db.pool.Exec(ctx, `UPDATE conversation_mentions SET read_at = $1
		WHERE conversation_id = $2 AND user_id = $3 AND read_at IS NULL`, at.UTC().Truncate(time.Microsecond), conversationID, userID)
	if err != nil {
		return false, fmt.Errorf("mark mention read: %w", err)
	}
	return tag.RowsAffected() > 0, nil
}

// loadMentions fills Mentioned of the conversations byID (ids their keys).
func loadMentions(ctx context.Context, q querier, byID map[string]*switchboard.Conversation, ids []string) error {
	rows, err := q.Query(ctx, `SELECT conversation_id, user_id FROM conversation_mentions
		WHERE conversation_id = ANY($1) ORDER BY user_id`, ids)
	if err != nil {
		return fmt.Errorf("list mentions: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var convID, userID string
		if err := rows.Scan(&convID, &userID); err != nil {
			return fmt.Errorf("list mentions: %w", err)
		}
		c := byID[convID]
		c.Mentioned = append(c.Mentioned, userID)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("list mentions: %w", err)
	}
	return nil
}

// visibleTo is the list filter for a user who may not see every
// conversation: assigned, in person or through a team, or an active
// mention ([switchboard.CanSeeConversation]); p is the user id's
// placeholder.
// Written as a list of ids, the user's few conversations are read by
// primary key instead of testing every conversation in list order.
func visibleTo(p string) string {
	return `c.id IN (SELECT a.conversation_id FROM conversation_assignees a WHERE a.user_id = ` + p + `
	UNION SELECT cm.conversation_id FROM conversation_mentions cm WHERE cm.user_id = ` + p + `
	UNION ` + teamConversations(p) + `)`
}

// teamConversations selects the conversations of the teams of user p.
func teamConversations(p string) string {
	return `SELECT ct.conversation_id FROM team_members tm JOIN conversation_teams ct ON ct.team_id = tm.team_id WHERE tm.user_id = ` + p
}
