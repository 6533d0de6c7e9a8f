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

// outboxDispatched is the outbox state of an entry whose send request was
// about to leave (MarkDispatched); a fresh or retried entry is 'pending'.
const outboxDispatched = "dispatched"

// MarkDispatched records that the send request of a claimed message is
// about to leave for Graph.
func (db *DB) MarkDispatched(ctx context.Context, messageID string) error {
	tag, err := db.pool.Exec(ctx, `UPDATE outbox SET state = $2 WHERE message_id = $1`, messageID, outboxDispatched)
	if err != nil {
		return fmt.Errorf("mark dispatched: %w", err)
	} else if tag.RowsAffected() == 0 {
		return switchboard.NotFound("Message")
	}
	return nil
}

// RequeueUnknown queues an outbound message whose outcome is unknown for
// another send: status pending, a new outbox entry.
func (db *DB) RequeueUnknown(ctx context.Context, messageID string, at time.Time) (*switchboard.StatusResult, error) {
	if at.IsZero() {
		at = db.now()
	}
	at = utc(at)
	var res *switchboard.StatusResult
	err := db.withTx(ctx, func(tx *txn) error {
		var convID, channelID string
		var ts time.Time
		err := tx.QueryRow(ctx, `SELECT m.conversation_id, c.channel_id, m.ts FROM messages m
			JOIN conversations c ON c.id = m.conversation_id
			WHERE m.id = $1 AND m.direction = $2 AND m.status = $3 FOR UPDATE OF m`, messageID, switchboard.DirectionOut, switchboard.MessageUnknown).
			Scan(&convID, &channelID, &ts)
		if errors.Is(err, pgx.ErrNoRows) {
			return switchboard.Errorf(switchboard.EConflict, "Only a message whose outcome is unknown can be sent again.")
		} else if err != nil {
			return fmt.Errorf("requeue: %w", err)
		}
		if _, err := tx.Exec(ctx, `UPDATE messages SET status = $2, updated_at = $3 WHERE id = $1`, messageID, switchboard.MessagePending, at); err != nil {
			return fmt.Errorf("requeue: %w", err)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO outbox (message_id, conversation_id, channel_id, state, attempts, next_attempt_at, created_at, ts)
			VALUES ($1, $2, $3, 'pending', 0, $4, $4, $5)`, messageID, convID, channelID, at, ts); err != nil {
			return fmt.Errorf("requeue: %w", err)
		}
		if err := db.insertEvents(ctx, tx, storekit.StatusEvents(messageID, true, at)); err != nil {
			return err
		}
		res, err = db.statusResult(ctx, tx, messageID, true)
		return err
	})
	return res, err
}

// NoteSendRetry records the temporary error of a pending message's last
// attempt, leaving its status as it is.
func (db *DB) NoteSendRetry(ctx context.Context, messageID string, e switchboard.MessageError, at time.Time) (*switchboard.StatusResult, error) {
	if at.IsZero() {
		at = db.now()
	}
	var res *switchboard.StatusResult
	err := db.withTx(ctx, func(tx *txn) error {
		tag, err := tx.Exec(ctx, `UPDATE messages SET error_code = $2, error_title = $3, error_details = $4, updated_at = $5
			WHERE id = $1 AND status = $6`, messageID, e.Code, e.Title, e.Details, utc(at), switchboard.MessagePending)
		if err != nil {
			return fmt.Errorf("note send retry: %w", err)
		} else if tag.RowsAffected() == 0 {
			return switchboard.NotFound("Message")
		}
		if err := db.insertEvents(ctx, tx, storekit.StatusEvents(messageID, true, utc(at))); err != nil {
			return err
		}
		res, err = db.statusResult(ctx, tx, messageID, true)
		return err
	})
	return res, err
}
