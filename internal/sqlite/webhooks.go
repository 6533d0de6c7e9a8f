package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/switchboardhq/switchboard"
)

// This file holds the queues of the WhatsApp channel: the webhook inbox, the
// outbox with its delivery statuses, idempotent sends.
//
// Claims run as write jobs (the single writer makes them atomic, so no two
// workers get the same row) and return only ids and counters; the rows are
// read and decrypted after the commit through the read pool, which keeps
// the writer's critical section short.

// channelKey returns the data key id of a channel, or ENotFound.
func (db *DB) channelKey(ctx context.Context, channelID string) (string, error) {
	if v, ok := db.channelKeys.Load(channelID); ok {
		return v.(string), nil
	}
	var keyID string
	err := db.rdb.QueryRowContext(ctx, `SELECT key_id FROM channels WHERE id = ?`, channelID).Scan(&keyID)
	if errors.Is(err, sql.ErrNoRows) {
		return "", switchboard.NotFound("Channel")
	} else if err != nil {
		return "", fmt.Errorf("get channel key: %w", err)
	}
	db.channelKeys.Store(channelID, keyID)
	return keyID, nil
}

// EnqueueWebhook stores a webhook body, sealed under the channel's data key,
// and returns once it is committed. The body is sealed before the job is
// submitted, so the writer only inserts; the group commit shares one fsync
// among all concurrent deliveries, and the job is urgent (see writeUrgent):
// Meta waits for it.
func (db *DB) EnqueueWebhook(ctx context.Context, channelID string, body []byte, at time.Time) error {
	_, err := db.enqueueWebhook(ctx, channelID, body, at, time.Time{})
	return err
}

// EnqueueLeasedWebhook stores a webhook body like EnqueueWebhook, already
// leased until leasedUntil, and returns its id.
func (db *DB) EnqueueLeasedWebhook(ctx context.Context, channelID string, body []byte, at, leasedUntil time.Time) (int64, error) {
	return db.enqueueWebhook(ctx, channelID, body, at, leasedUntil)
}

func (db *DB) enqueueWebhook(ctx context.Context, channelID string, body []byte, at, leasedUntil time.Time) (int64, error) {
	keyID, err := db.channelKey(ctx, channelID)
	if err != nil {
		return 0, err
	}
	uid := switchboard.NewID()
	sealed, err := db.codec.Seal(ctx, keyID, "webhook_inbox", "body", uid, body)
	if err != nil {
		return 0, err
	}
	if at.IsZero() {
		at = db.now()
	}
	attempts := 0
	if !leasedUntil.IsZero() {
		attempts = 1
	}
	var id int64
	err = db.writeUrgent(ctx, func(ctx context.Context, tx *writeTx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO webhook_inbox (uid, channel_id, key_id, body, received_at, leased_until, attempts)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, uid, channelID, keyID, sealed, micros(at), micros(leasedUntil), attempts)
		if err != nil {
			return fmt.Errorf("enqueue webhook: %w", err)
		}
		id, err = res.LastInsertId()
		return err
	})
	if err != nil {
		return 0, err
	}
	return id, nil
}

// ClaimWebhooks leases up to n events that are not leased or whose lease
// has expired, oldest first, as many as [switchboard.ClaimTake] lets fit
// in maxBytes of bodies.
func (db *DB) ClaimWebhooks(ctx context.Context, n int, maxBytes int64, lease time.Duration, now time.Time) ([]*switchboard.WebhookEvent, error) {
	events := []*switchboard.WebhookEvent{}
	if n <= 0 {
		return events, nil
	}
	type claimed struct {
		ev    switchboard.WebhookEvent
		uid   string
		keyID string
		body  []byte
	}
	var rows []claimed
	err := db.write(ctx, func(ctx context.Context, tx *writeTx) error {
		rows = rows[:0]
		// The candidates' sizes first; the single writer sees the same
		// candidates in the UPDATE, which takes the first k.
		k, err := claimCount(ctx, tx, `SELECT length(body) FROM webhook_inbox
			WHERE (leased_until IS NULL OR leased_until <= ?) AND dead_reason IS NULL ORDER BY id LIMIT ?`,
			maxBytes, micros(now), n)
		if err != nil || k == 0 {
			return err
		}
		r, err := tx.QueryContext(ctx, `UPDATE webhook_inbox SET leased_until = ?, attempts = attempts + 1
			WHERE id IN (SELECT id FROM webhook_inbox WHERE (leased_until IS NULL OR leased_until <= ?) AND dead_reason IS NULL
				ORDER BY id LIMIT ?)
			RETURNING id, uid, channel_id, key_id, body, received_at, attempts`,
			micros(now.Add(lease)), micros(now), k)
		if err != nil {
			return fmt.Errorf("claim webhooks: %w", err)
		}
		defer r.Close()
		for r.Next() {
			var c claimed
			var received sql.NullInt64
			if err := r.Scan(&c.ev.ID, &c.uid, &c.ev.ChannelID, &c.keyID, &c.body, &received, &c.ev.Attempts); err != nil {
				return fmt.Errorf("claim webhooks: %w", err)
			}
			c.ev.ReceivedAt = fromMicros(received)
			rows = append(rows, c)
		}
		return r.Err()
	})
	if err != nil {
		return nil, err
	}
	slices.SortFunc(rows, func(a, b claimed) int { return int(a.ev.ID - b.ev.ID) })
	for _, c := range rows {
		body, err := db.codec.Open(ctx, c.keyID, "webhook_inbox", "body", c.uid, c.body)
		if err != nil {
			return nil, err
		}
		ev := c.ev
		ev.Body = body
		events = append(events, &ev)
	}
	return events, nil
}

// DeleteWebhooks removes processed events; unknown ids are ignored.
func (db *DB) DeleteWebhooks(ctx context.Context, ids []int64) error {
	if len(ids) == 0 {
		return nil
	}
	return db.write(ctx, func(ctx context.Context, tx *writeTx) error {
		for rest := ids; len(rest) > 0; {
			n := min(len(rest), 500)
			args := make([]any, n)
			for i, id := range rest[:n] {
				args[i] = id
			}
			if _, err := tx.ExecContext(ctx, `DELETE FROM webhook_inbox WHERE id IN (`+placeholders(n)+`)`, args...); err != nil {
				return fmt.Errorf("delete webhooks: %w", err)
			}
			rest = rest[n:]
		}
		return nil
	})
}

// WebhookQueueDepth counts events not yet processed, dead letters
// excluded.
func (db *DB) WebhookQueueDepth(ctx context.Context) (int, error) {
	var n int
	if err := db.rdb.QueryRowContext(ctx, `SELECT COUNT(*) FROM webhook_inbox WHERE dead_reason IS NULL`).Scan(&n); err != nil {
		return 0, fmt.Errorf("webhook queue depth: %w", err)
	}
	return n, nil
}

// DeadLetters lists the dead letters, newest first.
func (db *DB) DeadLetters(ctx context.Context) ([]*switchboard.DeadLetter, error) {
	rows, err := db.rdb.QueryContext(ctx, `SELECT id, channel_id, dead_reason, received_at, dead_at, attempts
		FROM webhook_inbox WHERE dead_reason IS NOT NULL ORDER BY id DESC LIMIT ?`, switchboard.MaxDeadLetters)
	if err != nil {
		return nil, fmt.Errorf("list dead letters: %w", err)
	}
	defer rows.Close()
	out := []*switchboard.DeadLetter{}
	for rows.Next() {
		var d switchboard.DeadLetter
		var received, dead sql.NullInt64
		if err := rows.Scan(&d.ID, &d.ChannelID, &d.Reason, &received, &dead, &d.Attempts); err != nil {
			return nil, fmt.Errorf("list dead letters: %w", err)
		}
		d.ReceivedAt, d.DeadAt = fromMicros(received), fromMicros(dead)
		out = append(out, &d)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list dead letters: %w", err)
	}
	return out, nil
}

// ReplayDeadLetter returns a dead letter to the queue.
func (db *DB) ReplayDeadLetter(ctx context.Context, id int64) error {
	return db.write(ctx, func(ctx context.Context, tx *writeTx) error {
		res, err := tx.ExecContext(ctx, `UPDATE webhook_inbox SET dead_reason = NULL, dead_at = NULL, leased_until = NULL, attempts = 0
			WHERE id = ? AND dead_reason IS NOT NULL`, id)
		if err != nil {
			return fmt.Errorf("replay dead letter: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return switchboard.NotFound("Dead letter")
		}
		return nil
	})
}

// DeadLetterCount counts the dead letters.
func (db *DB) DeadLetterCount(ctx context.Context) (int, error) {
	var n int
	if err := db.rdb.QueryRowContext(ctx, `SELECT COUNT(*) FROM webhook_inbox WHERE dead_reason IS NOT NULL`).Scan(&n); err != nil {
		return 0, fmt.Errorf("count dead letters: %w", err)
	}
	return n, nil
}

// Outbox.

const msgStateSelect = `SELECT m.id, m.conversation_id, c.channel_id, m.key_id, m.status, m.direction, m.wa_message_id IS NOT NULL
	FROM messages m JOIN conversations c ON c.id = m.conversation_id`
