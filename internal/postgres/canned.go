package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/internal/storekit"
)

const cannedColumns = `id, owner_id, shortcut, title, body, created_by, created_at, updated_at`

func scanCanned(row interface{ Scan(...any) error }) (*switchboard.CannedReply, error) {
	var r switchboard.CannedReply
	if err := row.Scan(&r.ID, &r.OwnerID, &r.Shortcut, &r.Title, &r.Text, &r.CreatedBy, &r.CreatedAt, &r.UpdatedAt); err != nil {
		return nil, err
	}
	r.Scope = switchboard.CannedShared
	if r.OwnerID != "" {
		r.Scope = switchboard.CannedPersonal
	}
	r.CreatedAt, r.UpdatedAt = r.CreatedAt.UTC(), r.UpdatedAt.UTC()
	return &r, nil
}

// CreateCannedReply stores a shared or personal canned reply.
func (db *DB) CreateCannedReply(ctx context.Context, r *switchboard.CannedReply) error {
	n := *r
	if err := n.PrepareNew(db.now()); err != nil {
		return err
	}
	err := db.withTx(ctx, func(tx *txn) error {
		if _, err := tx.Exec(ctx, `INSERT INTO canned_replies (id, owner_id, shortcut, shortcut_key, search_key, title, body, created_by, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`, n.ID, n.OwnerID, n.Shortcut, storekit.CannedShortcutKey(n.Shortcut),
			storekit.CannedSearchKey(n.Shortcut, n.Title), n.Title, n.Text, n.CreatedBy, n.CreatedAt, n.UpdatedAt); err != nil {
			if code, constraint := pgError(err); code == uniqueViolation {
				if constraint == "canned_replies_pkey" {
					return switchboard.Errorf(switchboard.EConflict, "Canned reply already exists.")
				}
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
	err := db.withTx(ctx, func(tx *txn) error {
		old, err := scanCanned(tx.QueryRow(ctx, `SELECT `+cannedColumns+` FROM canned_replies WHERE id = $1 FOR UPDATE`, r.ID))
		if errors.Is(err, pgx.ErrNoRows) {
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
		if _, err := tx.Exec(ctx, `UPDATE canned_replies SET shortcut = $1, shortcut_key = $2, search_key = $3, title = $4, body = $5, updated_at = $6
			WHERE id = $7`, n.Shortcut, storekit.CannedShortcutKey(n.Shortcut), storekit.CannedSearchKey(n.Shortcut, n.Title),
			n.Title, n.Text, n.UpdatedAt, n.ID); err != nil {
			if code, _ := pgError(err); code == uniqueViolation {
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
	return db.withTx(ctx, func(tx *txn) error {
		tag, err := tx.Exec(ctx, `DELETE FROM canned_replies WHERE id = $1`, id)
		if err != nil {
			return fmt.Errorf("delete canned reply: %w", err)
		}
		if tag.RowsAffected() == 0 {
			return switchboard.NotFound("Canned reply")
		}
		return nil
	})
}

// CannedReply returns one canned reply.
func (db *DB) CannedReply(ctx context.Context, id string) (*switchboard.CannedReply, error) {
	r, err := scanCanned(db.pool.QueryRow(ctx, `SELECT `+cannedColumns+` FROM canned_replies WHERE id = $1`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, switchboard.NotFound("Canned reply")
	} else if err != nil {
		return nil, fmt.Errorf("get canned reply: %w", err)
	}
	return r, nil
}

// CannedReplies lists the shared canned replies and a user's own.
func (db *DB) CannedReplies(ctx context.Context, f switchboard.CannedFilter) ([]*switchboard.CannedReply, error) {
	q := `SELECT ` + cannedColumns + ` FROM canned_replies WHERE (owner_id = '' OR (owner_id = $1 AND owner_id <> ''))`
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
		args = append(args, pat)
		q += fmt.Sprintf(` AND search_key LIKE $%d`, len(args))
	}
	args = append(args, storekit.CannedLimit(f.Limit))
	q += fmt.Sprintf(` ORDER BY shortcut_key COLLATE "C", owner_id COLLATE "C", id COLLATE "C" LIMIT $%d`, len(args))
	rows, err := db.pool.Query(ctx, q, args...)
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
	err := db.withTx(ctx, func(tx *txn) error {
		var keyID string
		err := tx.QueryRow(ctx, `SELECT key_id FROM conversations WHERE id = $1 FOR SHARE`, n.ConversationID).Scan(&keyID)
		if errors.Is(err, pgx.ErrNoRows) {
			return switchboard.NotFound("Conversation")
		} else if err != nil {
			return fmt.Errorf("save draft: %w", err)
		}
		if n.Text == "" {
			if _, err := tx.Exec(ctx, `DELETE FROM drafts WHERE conversation_id = $1 AND user_id = $2`, n.ConversationID, n.UserID); err != nil {
				return fmt.Errorf("delete draft: %w", err)
			}
			return nil
		}
		body, err := db.codec.SealJSON(ctx, keyID, "drafts", "body", n.ConversationID+"/"+n.UserID, n.Text)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO drafts (conversation_id, user_id, key_id, body, updated_at)
			SELECT $1, id, $2, $3, $4 FROM users WHERE id = $5
			ON CONFLICT (conversation_id, user_id) DO UPDATE SET key_id = excluded.key_id, body = excluded.body, updated_at = excluded.updated_at`,
			n.ConversationID, keyID, body, n.UpdatedAt, n.UserID); err != nil {
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
	d := &switchboard.Draft{ConversationID: conversationID, UserID: userID}
	err := db.pool.QueryRow(ctx, `SELECT key_id, body, updated_at FROM drafts WHERE conversation_id = $1 AND user_id = $2`,
		conversationID, userID).Scan(&keyID, &body, &d.UpdatedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, switchboard.NotFound("Draft")
	} else if err != nil {
		return nil, fmt.Errorf("get draft: %w", err)
	}
	d.UpdatedAt = d.UpdatedAt.UTC()
	if err := db.codec.OpenJSON(ctx, keyID, "drafts", "body", conversationID+"/"+userID, body, &d.Text); err != nil {
		return nil, err
	}
	return d, nil
}
