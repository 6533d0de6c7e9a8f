package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

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
	err := db.write(ctx, func(ctx context.Context, tx *writeTx) error {
		var keyID string
		err := tx.QueryRowContext(ctx, `SELECT key_id FROM conversations WHERE id = ?`, n.ConversationID).Scan(&keyID)
		if errors.Is(err, sql.ErrNoRows) {
			return switchboard.NotFound("Conversation")
		} else if err != nil {
			return fmt.Errorf("add thread entry: %w", err)
		}
		if err := db.insertThreadEntry(ctx, tx, keyID, &n); err != nil {
			return err
		}
		out, err = db.conversation(ctx, tx, n.ConversationID, "")
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
func (db *DB) insertThreadEntry(ctx context.Context, tx *writeTx, keyID string, n *switchboard.ThreadEntry) error {
	body, err := db.codec.SealJSON(ctx, keyID, "thread_entries", "body", n.ID, n.Sealed())
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO thread_entries (id, conversation_id, kind, author_id, key_id, body, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, n.ID, n.ConversationID, n.Kind, n.AuthorID, keyID, body, micros(n.CreatedAt)); err != nil {
		if isPrimaryKey(err) {
			return switchboard.Errorf(switchboard.EConflict, "Thread entry already exists.")
		}
		return fmt.Errorf("add thread entry: %w", err)
	}
	if err := db.indexNote(ctx, tx, n); err != nil {
		return err
	}
	for _, uid := range n.Mentions {
		if _, err := tx.ExecContext(ctx, `INSERT INTO conversation_mentions (conversation_id, user_id, note_id, mentioned_by, created_at)
			SELECT ?, id, ?, ?, ? FROM users WHERE id = ?
			ON CONFLICT (conversation_id, user_id) DO UPDATE SET note_id = excluded.note_id,
				mentioned_by = excluded.mentioned_by, created_at = excluded.created_at, read_at = NULL`,
			n.ConversationID, n.ID, n.AuthorID, micros(n.CreatedAt), uid); err != nil {
			return fmt.Errorf("add mention: %w", err)
		}
	}
	return nil
}

// ThreadEntries returns a conversation's entries in time order between
// from and the message page cursor before.
func (db *DB) ThreadEntries(ctx context.Context, conversationID string, from time.Time, before string) ([]*switchboard.ThreadEntry, error) {
	q := `SELECT id, conversation_id, kind, author_id, key_id, body, created_at FROM thread_entries WHERE conversation_id = ?`
	args := []any{conversationID}
	if !from.IsZero() {
		q, args = q+` AND created_at >= ?`, append(args, micros(from))
	}
	if before != "" {
		at, _, err := storecrypt.DecodeCursor(before)
		if err != nil {
			return nil, err
		}
		q, args = q+` AND created_at < ?`, append(args, micros(at))
	}
	rows, err := db.rdb.QueryContext(ctx, q+` ORDER BY created_at DESC, id DESC LIMIT ?`, append(args, switchboard.MaxThreadEntries)...)
	if err != nil {
		return nil, fmt.Errorf("list thread entries: %w", err)
	}
	defer rows.Close()
	out := []*switchboard.ThreadEntry{}
	for rows.Next() {
		var e switchboard.ThreadEntry
		var keyID string
		var body []byte
		var at sql.NullInt64
		if err := rows.Scan(&e.ID, &e.ConversationID, &e.Kind, &e.AuthorID, &keyID, &body, &at); err != nil {
			return nil, fmt.Errorf("list thread entries: %w", err)
		}
		var s switchboard.EntrySealed
		if err := db.codec.OpenJSON(ctx, keyID, "thread_entries", "body", e.ID, body, &s); err != nil {
			return nil, err
		}
		e.SetSealed(s)
		e.CreatedAt = fromMicros(at)
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
	err := db.write(ctx, func(ctx context.Context, tx *writeTx) error {
		if err := conversationExists(ctx, tx, conversationID); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM conversation_mentions WHERE conversation_id = ? AND user_id = ?`, conversationID, userID)
		if err != nil {
			return fmt.Errorf("dismiss mention: %w", err)
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

// Mentions lists a user's active mentions, newest first.
func (db *DB) Mentions(ctx context.Context, userID string) ([]*switchboard.Mention, error) {
	rows, err := db.rdb.QueryContext(ctx, `SELECT conversation_id, user_id, note_id, mentioned_by, created_at, read_at
		FROM conversation_mentions WHERE user_id = ? ORDER BY created_at DESC, conversation_id DESC LIMIT 200`, userID)
	if err != nil {
		return nil, fmt.Errorf("list mentions: %w", err)
	}
	defer rows.Close()
	out := []*switchboard.Mention{}
	for rows.Next() {
		var m switchboard.Mention
		var at, read sql.NullInt64
		if err := rows.Scan(&m.ConversationID, &m.UserID, &m.NoteID, &m.By, &at, &read); err != nil {
			return nil, fmt.Errorf("list mentions: %w", err)
		}
		m.At = fromMicros(at)
		if read.Valid {
			r := fromMicros(read)
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
	var changed bool
	err := db.write(ctx, func(ctx context.Context, tx *writeTx) error {
		res, err := tx.ExecContext(ctx, `UPDATE conversation_mentions SET read_at = ?
			WHERE conversation_id = ? AND user_id = ? AND read_at IS NULL`, micros(at.UTC()), conversationID, userID)
		if err != nil {
			return fmt.Errorf("mark mention read: %w", err)
		}
		n, _ := res.RowsAffected()
		changed = n > 0
		return nil
	})
	return changed, err
}

// eachMention calls fn for every active mention of the conversations ids.
func eachMention(ctx context.Context, q querier, ids []string, fn func(convID, userID string)) error {
	if len(ids) == 0 {
		return nil
	}
	arg, err := json.Marshal(ids)
	if err != nil {
		return err
	}
	rows, err := q.QueryContext(ctx, `SELECT conversation_id, user_id FROM conversation_mentions
		WHERE conversation_id IN (SELECT value FROM json_each(?)) ORDER BY user_id`, string(arg))
	if err != nil {
		return fmt.Errorf("list mentions: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var convID, userID string
		if err := rows.Scan(&convID, &userID); err != nil {
			return fmt.Errorf("list mentions: %w", err)
		}
		fn(convID, userID)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("list mentions: %w", err)
	}
	return nil
}

// visibleTo is the list filter for a user who may not see every
// conversation: assigned, in person or through a team, or an active
// mention ([switchboard.CanSeeConversation]); it takes the user's id
// three times (visibleArgs).
// Written as a list of ids, SQLite reads the user's few conversations by
// primary key instead of testing every conversation of the channels (at
// 100,000 conversations the difference between ~1 ms and ~100 ms).
const visibleTo = `c.id IN (SELECT a.conversation_id FROM conversation_assignees a WHERE a.user_id = ?
	UNION SELECT cm.conversation_id FROM conversation_mentions cm WHERE cm.user_id = ?
	UNION ` + teamConversations + `)`

// teamConversations selects the conversations of a user's teams; it takes
// the user's id once.
const teamConversations = `SELECT ct.conversation_id FROM team_members tm JOIN conversation_teams ct ON ct.team_id = tm.team_id WHERE tm.user_id = ?`

// visibleArgs are the arguments of visibleTo.
func visibleArgs(userID string) []any { return []any{userID, userID, userID} }
