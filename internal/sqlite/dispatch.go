package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/internal/storekit"
)

// outboxDispatched is the outbox state of an entry whose send request was
// about to leave (MarkDispatched); a fresh or retried entry is 'pending'.
const outboxDispatched = "dispatched"

// MarkDispatched records that the send request of a claimed message is
// about to leave for Graph.
func (db *DB) MarkDispatched(ctx context.Context, messageID string) error {
	return db.write(ctx, func(ctx context.Context, tx *writeTx) error {
		res, err := tx.ExecContext(ctx, `UPDATE outbox SET state = ? WHERE message_id = ?`, outboxDispatched, messageID)
		if err != nil {
			return fmt.Errorf("mark dispatched: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return switchboard.NotFound("Message")
		}
		return nil
	})
}

// RequeueUnknown queues an outbound message whose outcome is unknown for
// another send: status pending, a new outbox entry.
func (db *DB) RequeueUnknown(ctx context.Context, messageID string, at time.Time) (*switchboard.StatusResult, error) {
	at = db.orNow(at)
	err := db.write(ctx, func(ctx context.Context, tx *writeTx) error {
		var convID, channelID string
		var ts sql.NullInt64
		err := tx.QueryRowContext(ctx, `SELECT m.conversation_id, c.channel_id, m.ts FROM messages m
			JOIN conversations c ON c.id = m.conversation_id
			WHERE m.id = ? AND m.direction = ? AND m.status = ?`, messageID, switchboard.DirectionOut, switchboard.MessageUnknown).
			Scan(&convID, &channelID, &ts)
		if errors.Is(err, sql.ErrNoRows) {
			return switchboard.Errorf(switchboard.EConflict, "Only a message whose outcome is unknown can be sent again.")
		} else if err != nil {
			return fmt.Errorf("requeue: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE messages SET status = ?, updated_at = ? WHERE id = ?`,
			switchboard.MessagePending, micros(at), messageID); err != nil {
			return fmt.Errorf("requeue: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO outbox (message_id, conversation_id, channel_id, state, attempts,
			next_attempt_at, created_at, ts) VALUES (?, ?, ?, 'pending', 0, ?, ?, ?)`,
			messageID, convID, channelID, micros(at), micros(at), ts); err != nil {
			return fmt.Errorf("requeue: %w", err)
		}
		return db.insertEvents(ctx, tx, storekit.StatusEvents(messageID, true, at))
	})
	if err != nil {
		return nil, err
	}
	return db.statusResult(ctx, messageID, true)
}

// NoteSendRetry records the temporary error of a pending message's last
// attempt, leaving its status as it is.
func (db *DB) NoteSendRetry(ctx context.Context, messageID string, e switchboard.MessageError, at time.Time) (*switchboard.StatusResult, error) {
	at = db.orNow(at)
	err := db.write(ctx, func(ctx context.Context, tx *writeTx) error {
		res, err := tx.ExecContext(ctx, `UPDATE messages SET error_code = ?, error_title = ?, error_details = ?, updated_at = ?
			WHERE id = ? AND status = ?`, e.Code, e.Title, e.Details, micros(at), messageID, switchboard.MessagePending)
		if err != nil {
			return fmt.Errorf("note send retry: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return switchboard.NotFound("Message")
		}
		return db.insertEvents(ctx, tx, storekit.StatusEvents(messageID, true, at))
	})
	if err != nil {
		return nil, err
	}
	return db.statusResult(ctx, messageID, true)
}
