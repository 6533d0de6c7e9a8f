package postgres

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/switchboardhq/switchboard"
)

// EnqueueWebhook stores a webhook body, sealed under the channel's data key,
// and returns once the row is committed. It is one INSERT in autocommit
// mode: concurrent callers share WAL flushes (PostgreSQL's group commit).
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
	keyID, err := db.channelKey(ctx, db.pool, channelID)
	if err != nil {
		return 0, err
	}
	if at.IsZero() {
		at = db.now()
	}
	// The AAD names the row by uid: the identity id is known only after
	// the insert, and a second round trip would halve the throughput.
	uid := switchboard.NewID()
	sealed, err := db.codec.Seal(ctx, keyID, "webhook_inbox", "body", uid, body)
	if err != nil {
		return 0, err
	}
	attempts := 0
	if !leasedUntil.IsZero() {
		attempts = 1
	}
	var id int64
	err = db.pool.QueryRow(ctx, `INSERT INTO webhook_inbox (uid, channel_id, key_id, body, received_at, leased_until, attempts)
		VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
		uid, channelID, keyID, sealed, utc(at), nullTime(leasedUntil), attempts).Scan(&id)
	if code, _ := pgError(err); code == foreignKeyViolation {
		db.channelKeys.Delete(channelID)
		return 0, switchboard.NotFound("Channel")
	} else if err != nil {
		return 0, fmt.Errorf("enqueue webhook: %w", err)
	}
	return id, nil
}

// ClaimWebhooks leases up to n events that are not leased or whose lease
// has expired, oldest first, as many as [switchboard.ClaimTake] lets fit in
// maxBytes of bodies. Concurrent claimers skip each other's rows.
func (db *DB) ClaimWebhooks(ctx context.Context, n int, maxBytes int64, lease time.Duration, now time.Time) ([]*switchboard.WebhookEvent, error) {
	events := []*switchboard.WebhookEvent{}
	if n <= 0 {
		return events, nil
	}
	now = utc(now)
	type claimed struct {
		ev         *switchboard.WebhookEvent
		uid, keyID string
		sealed     []byte
	}
	var cs []claimed
	err := db.withTx(ctx, func(tx *txn) error {
		cs = cs[:0]
		ids, err := claimCandidates[int64](ctx, tx, `SELECT id, octet_length(body) FROM webhook_inbox
			WHERE (leased_until IS NULL OR leased_until <= $1) AND dead_reason IS NULL
			ORDER BY id LIMIT $2
			FOR UPDATE SKIP LOCKED`, maxBytes, now, n)
		if err != nil || len(ids) == 0 {
			return err
		}
		rows, err := tx.Query(ctx, `UPDATE webhook_inbox SET leased_until = $2, attempts = attempts + 1
			WHERE id = ANY($1)
			RETURNING id, uid, channel_id, key_id, body, received_at, attempts`, ids, now.Add(lease))
		if err != nil {
			return fmt.Errorf("claim webhooks: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var c claimed
			c.ev = &switchboard.WebhookEvent{}
			if err := rows.Scan(&c.ev.ID, &c.uid, &c.ev.ChannelID, &c.keyID, &c.sealed, &c.ev.ReceivedAt, &c.ev.Attempts); err != nil {
				return fmt.Errorf("scan webhook: %w", err)
			}
			c.ev.ReceivedAt = c.ev.ReceivedAt.UTC()
			cs = append(cs, c)
		}
		if err := rows.Err(); err != nil {
			return fmt.Errorf("claim webhooks: %w", err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	// The leases are committed; open the bodies without holding a
	// connection.
	for _, c := range cs {
		if c.ev.Body, err = db.codec.Open(ctx, c.keyID, "webhook_inbox", "body", c.uid, c.sealed); err != nil {
			return nil, err
		}
		events = append(events, c.ev)
	}
	slices.SortFunc(events, func(a, b *switchboard.WebhookEvent) int { return cmp.Compare(a.ID, b.ID) })
	return events, nil
}

// DeleteWebhooks removes processed events; unknown ids are ignored.
func (db *DB) DeleteWebhooks(ctx context.Context, ids []int64) error {
	if len(ids) == 0 {
		return nil
	}
	if _, err := db.pool.Exec(ctx, `DELETE FROM webhook_inbox WHERE id = ANY($1)`, ids); err != nil {
		return fmt.Errorf("delete webhooks: %w", err)
	}
	return nil
}

// WebhookQueueDepth counts the events not yet deleted, leased or not,
// dead letters excluded.
func (db *DB) WebhookQueueDepth(ctx context.Context) (int, error) {
	var n int
	if err := db.pool.QueryRow(ctx, `SELECT count(*) FROM webhook_inbox WHERE dead_reason IS NULL`).Scan(&n); err != nil {
		return 0, fmt.Errorf("webhook queue depth: %w", err)
	}
	return n, nil
}

// DeadLetters lists the dead letters, newest first.
func (db *DB) DeadLetters(ctx context.Context) ([]*switchboard.DeadLetter, error) {
	rows, err := db.pool.Query(ctx, `SELECT id, channel_id, dead_reason, received_at, dead_at, attempts
		FROM webhook_inbox WHERE dead_reason IS NOT NULL ORDER BY id DESC LIMIT $1`, switchboard.MaxDeadLetters)
	if err != nil {
		return nil, fmt.Errorf("list dead letters: %w", err)
	}
	defer rows.Close()
	out := []*switchboard.DeadLetter{}
	for rows.Next() {
		var d switchboard.DeadLetter
		if err := rows.Scan(&d.ID, &d.ChannelID, &d.Reason, &d.ReceivedAt, &d.DeadAt, &d.Attempts); err != nil {
			return nil, fmt.Errorf("list dead letters: %w", err)
		}
		d.ReceivedAt, d.DeadAt = d.ReceivedAt.UTC(), d.DeadAt.UTC()
		out = append(out, &d)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list dead letters: %w", err)
	}
	return out, nil
}

// ReplayDeadLetter returns a dead letter to the queue.
func (db *DB) ReplayDeadLetter(ctx context.Context, id int64) error {
	tag, err := db.pool.Exec(ctx, `UPDATE webhook_inbox SET dead_reason = NULL, dead_at = NULL, leased_until = NULL, attempts = 0
		WHERE id = $1 AND dead_reason IS NOT NULL`, id)
	if err != nil {
		return fmt.Errorf("replay dead letter: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return switchboard.NotFound("Dead letter")
	}
	return nil
}

// DeadLetterCount counts the dead letters.
func (db *DB) DeadLetterCount(ctx context.Context) (int, error) {
	var n int
	if err := db.pool.QueryRow(ctx, `SELECT count(*) FROM webhook_inbox WHERE dead_reason IS NOT NULL`).Scan(&n); err != nil {
		return 0, fmt.Errorf("count dead letters: %w", err)
	}
	return n, nil
}
