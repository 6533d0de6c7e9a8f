package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/internal/storekit"
)

const cannedColumns = `id, owner_id, shortcut, title, body, created_by, created_at, updated_at`

func scanCanned(row interface{ Scan(...any) error }) (*switchboard.CannedReply, error) {
	var r switchboard.CannedReply
	var created, updated sql.NullInt64
	if err := row.Scan(&r.ID, &r.OwnerID, &r.Shortcut, &r.Title, &r.Text, &r.CreatedBy, &created, &updated); err != nil {
		return nil, err
	}
	r.Scope = switchboard.CannedShared
	if r.OwnerID != "" {
		r.Scope = switchboard.CannedPersonal
	}
	r.CreatedAt, r.UpdatedAt = fromMicros(created), fromMicros(updated)
	return &r, nil
}

// CreateCannedReply stores a shared or personal canned reply.
func (db *DB) CreateCannedReply(ctx context.Context, r *switchboard.CannedReply) error {
	n := *r
	if err := n.PrepareNew(db.now()); err != nil {
		return err
	}
	err := db.write(ctx, func(ctx context.Context, tx *writeTx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO canned_replies (id, owner_id, shortcut, shortcut_key, search_key, title, body, created_by, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, n.ID, n.OwnerID, n.Shortcut, storekit.CannedShortcutKey(n.Shortcut),
			storekit.CannedSearchKey(n.Shortcut, n.Title), n.Title, n.Text, n.CreatedBy, micros(n.CreatedAt), micros(n.UpdatedAt)); err != nil {
			if isPrimaryKey(err) {
				return switchboard.Errorf(switchboard.EConflict, "Canned reply already exists.")
			}
			if isUnique(err) {
				return switchboard.ErrCannedDuplicate
			}
			return fmt.Errorf("create canned reply: %w", err)
		}
		return nil
	})
	if err != nil {
		return err
	}
	*r = n
	return nil
}

// UpdateCannedReply replaces a canned reply's shortcut, title and text.
func (db *DB) UpdateCannedReply(ctx context.Context, r *switchboard.CannedReply) error {
	var out *switchboard.CannedReply
	err := db.write(ctx, func(ctx context.Context, tx *writeTx) error {
		old, err := scanCanned(tx.QueryRowContext(ctx, `SELECT `+cannedColumns+` FROM canned_replies WHERE id = ?`, r.ID))
		if errors.Is(err, sql.ErrNoRows) {
			return switchboard.NotFound("Canned reply")
		} else if err != nil {
			return fmt.Errorf("update canned reply: %w", err)
		}
		n := *old
		n.Shortcut, n.Title, n.Text = r.Shortcut, r.Title, r.Text
		if err := n.Validate(); err != nil {
			return err
		}
		n.UpdatedAt = db.now()
		if _, err := tx.ExecContext(ctx, `UPDATE canned_replies SET shortcut = ?, shortcut_key = ?, search_key = ?, title = ?, body = ?, updated_at = ?
			WHERE id = ?`, n.Shortcut, storekit.CannedShortcutKey(n.Shortcut), storekit.CannedSearchKey(n.Shortcut, n.Title),
			n.Title, n.Text, micros(n.UpdatedAt), n.ID); err != nil {
			if isUnique(err) {
				return switchboard.ErrCannedDuplicate
			}
			return fmt.Errorf("update canned reply: %w", err)
		}
		out = &n
		return nil
	})
	if err != nil {
		return err
	}
	*r = *out
	return nil
}

// DeleteCannedReply removes a canned reply.
func (db *DB) DeleteCannedReply(ctx context.Context, id string) error {
	return db.write(ctx, func(ctx context.Context, tx *writeTx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM canned_replies WHERE id = ?`, id)
		if err != nil {
			return fmt.Errorf("delete canned reply: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return switchboard.NotFound("Canned reply")
		}
		return nil
	})
}

// CannedReply returns one canned reply.
func (db *DB) CannedReply(ctx context.Context, id string) (*switchboard.CannedReply, error) {
	r, err := scanCanned(db.rdb.QueryRowContext(ctx, `SELECT `+cannedColumns+` FROM canned_replies WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, switchboard.NotFound("Canned reply")
	} else if err != nil {
		return nil, fmt.Errorf("get canned reply: %w", err)
	}
	return r, nil
}

// CannedReplies lists the shared canned replies and a user's own.
func (db *DB) CannedReplies(ctx context.Context, f switchboard.CannedFilter) ([]*switchboard.CannedReply, error) {
	q := `SELECT ` + cannedColumns + ` FROM canned_replies WHERE (owner_id = '' OR (owner_id = ? AND owner_id <> ''))`
	args := []any{f.UserID}
	switch f.Scope {
	case "":
	case switchboard.CannedShared:
		q += ` AND owner_id = ''`
	case switchboard.CannedPersonal:
		q += ` AND owner_id <> ''`
	default:
		return nil, switchboard.ErrCannedScope
	}
	if f.Query != "" {
		pat, ok := storekit.ContainsPattern(f.Query)
		if !ok {
			return []*switchboard.CannedReply{}, nil
		}
		q, args = q+` AND search_key LIKE ? ESCAPE '\'`, append(args, pat)
	}
	q += ` ORDER BY shortcut_key, owner_id, id LIMIT ?`
	rows, err := db.rdb.QueryContext(ctx, q, append(args, storekit.CannedLimit(f.Limit))...)
	if err != nil {
		return nil, fmt.Errorf("list canned replies: %w", err)
	}
	defer rows.Close()
	out, err := storekit.Collect(rows, func() (*switchboard.CannedReply, error) { return scanCanned(rows) })
	if err != nil {
		return nil, fmt.Errorf("list canned replies: %w", err)
	}
	return out, nil
}

// SaveDraft stores a user's composer text in a conversation, sealed under
// the conversation's data key; an empty text deletes it.
func (db *DB) SaveDraft(ctx context.Context, d *switchboard.Draft) error {
	n := *d
	if err := n.Prepare(db.now()); err != nil {
		return err
	}
	err := db.write(ctx, func(ctx context.Context, tx *writeTx) error {
		var keyID string
		err := tx.QueryRowContext(ctx, `SELECT key_id FROM conversations WHERE id = ?`, n.ConversationID).Scan(&keyID)
		if errors.Is(err, sql.ErrNoRows) {
			return switchboard.NotFound("Conversation")
		} else if err != nil {
			return fmt.Errorf("save draft: %w", err)
		}
		if n.Text == "" {
			if _, err := tx.ExecContext(ctx, `DELETE FROM drafts WHERE conversation_id = ? AND user_id = ?`, n.ConversationID, n.UserID); err != nil {
				return fmt.Errorf("delete draft: %w", err)
			}
			return nil
		}
		body, err := db.codec.SealJSON(ctx, keyID, "drafts", "body", n.ConversationID+"/"+n.UserID, n.Text)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO drafts (conversation_id, user_id, key_id, body, updated_at)
			SELECT ?, id, ?, ?, ? FROM users WHERE id = ?
			ON CONFLICT (conversation_id, user_id) DO UPDATE SET key_id = excluded.key_id, body = excluded.body, updated_at = excluded.updated_at`,
			n.ConversationID, keyID, body, micros(n.UpdatedAt), n.UserID); err != nil {
			return fmt.Errorf("save draft: %w", err)
		}
		return nil
	})
	if err != nil {
		return err
	}
	*d = n
	return nil
}

// Draft returns a user's draft in a conversation.
func (db *DB) Draft(ctx context.Context, userID, conversationID string) (*switchboard.Draft, error) {
	var keyID string
	var body []byte
	var at sql.NullInt64
	err := db.rdb.QueryRowContext(ctx, `SELECT key_id, body, updated_at FROM drafts WHERE conversation_id = ? AND user_id = ?`,
		conversationID, userID).Scan(&keyID, &body, &at)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, switchboard.NotFound("Draft")
	} else if err != nil {
		return nil, fmt.Errorf("get draft: %w", err)
	}
	d := &switchboard.Draft{ConversationID: conversationID, UserID: userID, UpdatedAt: fromMicros(at)}
	if err := db.codec.OpenJSON(ctx, keyID, "drafts", "body", conversationID+"/"+userID, body, &d.Text); err != nil {
		return nil, err
	}
	return d, nil
}
