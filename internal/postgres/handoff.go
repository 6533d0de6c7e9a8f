package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/internal/storekit"
)

// SetHandoff sets a conversation's handler, last hand-off and bot failure
// count when its handler and count are still expect's (nil for any).
func (db *DB) SetHandoff(ctx context.Context, conversationID string, expect *switchboard.HandoffState, st switchboard.HandoffState) (*switchboard.Conversation, error) {
	if st.Handler != switchboard.HandlerBot && st.Handler != switchboard.HandlerHuman {
		return nil, switchboard.Errorf(switchboard.EInvalid, "Invalid handler.")
	}
	var out *switchboard.Conversation
	err := db.withTx(ctx, func(tx *txn) error {
		var keyID, channelID string
		var handler switchboard.Handler
		var failures int
		err := tx.QueryRow(ctx, `SELECT key_id, handler, channel_id, bot_failures FROM conversations WHERE id = $1 FOR UPDATE`, conversationID).Scan(&keyID, &handler, &channelID, &failures)
		if errors.Is(err, pgx.ErrNoRows) {
			return switchboard.NotFound("Conversation")
		} else if err != nil {
			return fmt.Errorf("set handoff: %w", err)
		}
		if expect != nil && (handler != expect.Handler || failures != expect.BotFailures) {
			return switchboard.Errorf(switchboard.EConflict, "The conversation's handler changed meanwhile.")
		}
		if err := db.putHandoff(ctx, tx, conversationID, keyID, st); err != nil {
			return err
		}
		if st.Handler != handler { // a change of handler is a fact of the bots report
			if err := db.recordHandoff(ctx, tx, conversationID, channelID, st); err != nil {
				return err
			}
		}
		out, err = db.loadConversation(ctx, tx, conversationID, "")
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// putHandoff writes st as the conversation's handler, sealed hand-off
// note and failure count.
func (db *DB) putHandoff(ctx context.Context, tx *txn, conversationID, keyID string, st switchboard.HandoffState) error {
	note, err := db.codec.SealHandoff(ctx, keyID, conversationID, st)
	if err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `UPDATE conversations SET handler = $2, handoff_note = $3, handoff_at = $4, handoff_by = $5, bot_failures = $6 WHERE id = $1`,
		conversationID, st.Handler, note, nullTime(st.At), st.By, st.BotFailures); err != nil {
		return fmt.Errorf("set handoff: %w", err)
	}
	return nil
}

// recordHandoff records a change of handler to st, a fact of the bots
// report.
func (db *DB) recordHandoff(ctx context.Context, tx *txn, conversationID, channelID string, st switchboard.HandoffState) error {
	at := st.At
	if at.IsZero() {
		at = db.now()
	}
	if _, err := tx.Exec(ctx, `INSERT INTO handoffs (id, conversation_id, channel_id, at, to_handler, reason) VALUES ($1, $2, $3, $4, $5, $6)`,
		switchboard.NewID(), conversationID, channelID, utc(at), st.Handler, switchboard.ReportHandoffReason(st.Reason)); err != nil {
		return fmt.Errorf("record handoff: %w", err)
	}
	return nil
}

// CreateSuggestion stores a pending suggestion sealed under the
// conversation's data key.
func (db *DB) CreateSuggestion(ctx context.Context, sg *switchboard.Suggestion) error {
	n := *sg
	if n.ID == "" {
		n.ID = switchboard.NewID()
	}
	if n.CreatedAt.IsZero() {
		n.CreatedAt = db.now()
	}
	n.CreatedAt = utc(n.CreatedAt)
	n.UpdatedAt, n.State = n.CreatedAt, switchboard.SuggestionPending
	err := db.withTx(ctx, func(tx *txn) error {
		var keyID string
		err := tx.QueryRow(ctx, `SELECT key_id FROM conversations WHERE id = $1`, n.ConversationID).Scan(&keyID)
		if errors.Is(err, pgx.ErrNoRows) {
			return switchboard.NotFound("Conversation")
		} else if err != nil {
			return fmt.Errorf("create suggestion: %w", err)
		}
		body, err := db.codec.SealSuggestion(ctx, keyID, &n)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO suggestions (id, conversation_id, author_id, key_id, body, state,
			decided_by, message_id, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, '', '', $7, $8)`,
			n.ID, n.ConversationID, n.AuthorID, keyID, body, n.State, n.CreatedAt, n.UpdatedAt); err != nil {
			if code, _ := pgError(err); code == uniqueViolation {
				return switchboard.Errorf(switchboard.EConflict, "Suggestion already exists.")
			} else if code == foreignKeyViolation {
				return switchboard.NotFound("Conversation")
			}
			return fmt.Errorf("create suggestion: %w", err)
		}
		return nil
	})
	if err != nil {
		return err
	}
	*sg = n
	return nil
}

const suggestionColumns = `id, conversation_id, author_id, key_id, body, state, decided_by, message_id, created_at, updated_at`

func (db *DB) scanSuggestion(ctx context.Context, row pgx.Row) (*switchboard.Suggestion, error) {
	var sg switchboard.Suggestion
	var keyID string
	var body []byte
	var created, updated time.Time
	if err := row.Scan(&sg.ID, &sg.ConversationID, &sg.AuthorID, &keyID, &body, &sg.State, &sg.DecidedBy, &sg.MessageID,
		&created, &updated); err != nil {
		return nil, err
	}
	sg.CreatedAt, sg.UpdatedAt = created.UTC(), updated.UTC()
	if err := db.codec.OpenSuggestion(ctx, keyID, &sg, body); err != nil {
		return nil, err
	}
	return &sg, nil
}

func (db *DB) suggestion(ctx context.Context, q querier, id string) (*switchboard.Suggestion, error) {
	sg, err := db.scanSuggestion(ctx, q.QueryRow(ctx, `SELECT `+suggestionColumns+` FROM suggestions WHERE id = $1`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, switchboard.NotFound("Suggestion")
	} else if err != nil {
		return nil, fmt.Errorf("get suggestion: %w", err)
	}
	return sg, nil
}

// Suggestion returns one suggestion.
func (db *DB) Suggestion(ctx context.Context, id string) (*switchboard.Suggestion, error) {
	return db.suggestion(ctx, db.pool, id)
}

// Suggestions lists a conversation's suggestions, newest first.
func (db *DB) Suggestions(ctx context.Context, conversationID string, pendingOnly bool, limit int) ([]*switchboard.Suggestion, error) {
	q := `SELECT ` + suggestionColumns + ` FROM suggestions WHERE conversation_id = $1`
	if pendingOnly {
		q += ` AND state = 'pending'`
	}
	rows, err := db.pool.Query(ctx, q+` ORDER BY created_at DESC, id DESC LIMIT $2`, conversationID, storekit.ClampLimit(limit))
	if err != nil {
		return nil, fmt.Errorf("list suggestions: %w", err)
	}
	defer rows.Close()
	out, err := storekit.Collect(rows, func() (*switchboard.Suggestion, error) { return db.scanSuggestion(ctx, rows) })
	if err != nil {
		return nil, fmt.Errorf("list suggestions: %w", err)
	}
	return out, nil
}

// DecideSuggestion moves a pending suggestion to sent or discarded.
func (db *DB) DecideSuggestion(ctx context.Context, id string, d switchboard.SuggestionDecision) (*switchboard.Suggestion, error) {
	if d.State != switchboard.SuggestionSent && d.State != switchboard.SuggestionDiscarded {
		return nil, switchboard.Errorf(switchboard.EInvalid, "A suggestion can only be sent or discarded.")
	}
	at := d.At
	if at.IsZero() {
		at = db.now()
	}
	var out *switchboard.Suggestion
	err := db.withTx(ctx, func(tx *txn) error {
		tag, err := tx.Exec(ctx, `UPDATE suggestions SET state = $2, decided_by = $3, message_id = $4, updated_at = $5
			WHERE id = $1 AND state = 'pending'`, id, d.State, d.By, d.MessageID, utc(at))
		if err != nil {
			return fmt.Errorf("decide suggestion: %w", err)
		}
		cur, err := db.suggestion(ctx, tx, id)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return cur.Decide(d.State)
		}
		out = cur
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
