package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/switchboardhq/switchboard"
)

const webhookSubColumns = `id, description, url, events, all_channels, channel_ids, active, key_id, secret, created_by, created_at, updated_at`

const webhookDeliveryColumns = `d.id, d.subscription_id, d.event_type, d.payload, d.state, d.attempts, d.created_at, d.retry_from,
	d.next_attempt_at, d.last_attempt_at, d.last_status, d.last_latency_ms, d.last_error, s.key_id`

// CreateWebhookSubscription stores w with its secret sealed under a new
// data key, which also seals its deliveries' payloads.
func (db *DB) CreateWebhookSubscription(ctx context.Context, w *switchboard.WebhookSubscription) error {
	return db.write(ctx, func(ctx context.Context, tx *writeTx) error {
		n := *w
		if n.ID == "" {
			n.ID = switchboard.NewID()
		}
		now := db.now()
		n.CreatedAt, n.UpdatedAt = now, now
		keyID, err := db.createKey(ctx, tx)
		if err != nil {
			return err
		}
		secret, err := db.codec.Seal(ctx, keyID, "webhook_subscriptions", "secret", n.ID, []byte(n.Secret))
		if err != nil {
			return err
		}
		events, channels := jsonList(n.Events), jsonList(n.ChannelIDs)
		if _, err := tx.ExecContext(ctx, `INSERT INTO webhook_subscriptions (`+webhookSubColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			n.ID, n.Description, n.URL, events, n.AllChannels, channels, n.Active, keyID, secret, n.CreatedBy,
			micros(n.CreatedAt), micros(n.UpdatedAt)); err != nil {
			return fmt.Errorf("insert webhook subscription: %w", err)
		}
		*w = n
		return nil
	})
}

func jsonList(v []string) string {
	if v == nil {
		v = []string{}
	}
	b, _ := json.Marshal(v)
	return string(b)
}

func (db *DB) scanWebhookSub(ctx context.Context, row interface{ Scan(...any) error }) (*switchboard.WebhookSubscription, error) {
	var w switchboard.WebhookSubscription
	var events, channels, keyID string
	var secret []byte
	var created, updated sql.NullInt64
	if err := row.Scan(&w.ID, &w.Description, &w.URL, &events, &w.AllChannels, &channels, &w.Active, &keyID, &secret,
		&w.CreatedBy, &created, &updated); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(events), &w.Events); err != nil {
		return nil, fmt.Errorf("decode webhook events: %w", err)
	}
	if err := json.Unmarshal([]byte(channels), &w.ChannelIDs); err != nil {
		return nil, fmt.Errorf("decode webhook channels: %w", err)
	}
	plain, err := db.codec.Open(ctx, keyID, "webhook_subscriptions", "secret", w.ID, secret)
	if err != nil {
		return nil, err
	}
	w.Secret = string(plain)
	w.CreatedAt, w.UpdatedAt = fromMicros(created), fromMicros(updated)
	return &w, nil
}

// WebhookSubscription returns one subscription or ENotFound.
func (db *DB) WebhookSubscription(ctx context.Context, id string) (*switchboard.WebhookSubscription, error) {
	w, err := db.scanWebhookSub(ctx, db.rdb.QueryRowContext(ctx, `SELECT `+webhookSubColumns+` FROM webhook_subscriptions WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, switchboard.NotFound("Webhook")
	} else if err != nil {
		return nil, fmt.Errorf("get webhook subscription: %w", err)
	}
	return w, nil
}

// WebhookSubscriptions lists every subscription, oldest first.
func (db *DB) WebhookSubscriptions(ctx context.Context) ([]*switchboard.WebhookSubscription, error) {
	rows, err := db.rdb.QueryContext(ctx, `SELECT `+webhookSubColumns+` FROM webhook_subscriptions ORDER BY created_at, id`)
	if err != nil {
		return nil, fmt.Errorf("list webhook subscriptions: %w", err)
	}
	defer rows.Close()
	out := []*switchboard.WebhookSubscription{}
	for rows.Next() {
		w, err := db.scanWebhookSub(ctx, rows)
		if err != nil {
			return nil, fmt.Errorf("list webhook subscriptions: %w", err)
		}
		out = append(out, w)
	}
	return out, rows.Err()
}

// UpdateWebhookSubscription replaces the editable fields and reseals the
// secret.
func (db *DB) UpdateWebhookSubscription(ctx context.Context, w *switchboard.WebhookSubscription) error {
	return db.write(ctx, func(ctx context.Context, tx *writeTx) error {
		var keyID string
		err := tx.QueryRowContext(ctx, `SELECT key_id FROM webhook_subscriptions WHERE id = ?`, w.ID).Scan(&keyID)
		if errors.Is(err, sql.ErrNoRows) {
			return switchboard.NotFound("Webhook")
		} else if err != nil {
			return fmt.Errorf("update webhook subscription: %w", err)
		}
		secret, err := db.codec.Seal(ctx, keyID, "webhook_subscriptions", "secret", w.ID, []byte(w.Secret))
		if err != nil {
			return err
		}
		w.UpdatedAt = db.now()
		if _, err := tx.ExecContext(ctx, `UPDATE webhook_subscriptions SET description = ?, url = ?, events = ?, all_channels = ?,
			channel_ids = ?, active = ?, secret = ?, updated_at = ? WHERE id = ?`,
			w.Description, w.URL, jsonList(w.Events), w.AllChannels, jsonList(w.ChannelIDs), w.Active, secret, micros(w.UpdatedAt), w.ID); err != nil {
			return fmt.Errorf("update webhook subscription: %w", err)
		}
		return nil
	})
}

// DeleteWebhookSubscription removes a subscription and its deliveries.
func (db *DB) DeleteWebhookSubscription(ctx context.Context, id string) error {
	return db.write(ctx, func(ctx context.Context, tx *writeTx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM webhook_deliveries WHERE subscription_id = ?`, id); err != nil {
			return fmt.Errorf("delete webhook deliveries: %w", err)
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM webhook_subscriptions WHERE id = ?`, id)
		if err != nil {
			return fmt.Errorf("delete webhook subscription: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return switchboard.NotFound("Webhook")
		}
		return nil
	})
}

// EnqueueWebhookDeliveries stores pending deliveries due at once, sealing
// each payload under its subscription's key.
func (db *DB) EnqueueWebhookDeliveries(ctx context.Context, ds []*switchboard.WebhookDelivery) error {
	if len(ds) == 0 {
		return nil
	}
	return db.write(ctx, func(ctx context.Context, tx *writeTx) error { return db.insertDeliveries(ctx, tx, ds) })
}

// insertDeliveries stores ds in tx; a delivery whose id is stored already
// stays as it is, one of a deleted subscription is dropped.
func (db *DB) insertDeliveries(ctx context.Context, tx *writeTx, ds []*switchboard.WebhookDelivery) error {
	keys := map[string]string{}
	for _, d := range ds {
		keyID, ok := keys[d.SubscriptionID]
		if !ok {
			err := tx.QueryRowContext(ctx, `SELECT key_id FROM webhook_subscriptions WHERE id = ?`, d.SubscriptionID).Scan(&keyID)
			if errors.Is(err, sql.ErrNoRows) {
				keys[d.SubscriptionID] = ""
				continue // deleted meanwhile
			} else if err != nil {
				return fmt.Errorf("enqueue webhook delivery: %w", err)
			}
			keys[d.SubscriptionID] = keyID
		}
		if keyID == "" {
			continue
		}
		if d.ID == "" {
			d.ID = switchboard.NewID()
		}
		if d.CreatedAt.IsZero() {
			d.CreatedAt = db.now()
		}
		d.CreatedAt = utc(d.CreatedAt)
		d.RetryFrom, d.NextAttemptAt, d.State = d.CreatedAt, d.CreatedAt, switchboard.DeliveryPending
		payload, err := db.codec.Seal(ctx, keyID, "webhook_deliveries", "payload", d.ID, d.Payload)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO webhook_deliveries (id, subscription_id, event_type, payload, state,
			created_at, retry_from, next_attempt_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`,
			d.ID, d.SubscriptionID, d.EventType, payload, d.State, micros(d.CreatedAt), micros(d.RetryFrom), micros(d.NextAttemptAt)); err != nil {
			return fmt.Errorf("insert webhook delivery: %w", err)
		}
	}
	return nil
}

func (db *DB) scanDelivery(ctx context.Context, row interface{ Scan(...any) error }) (*switchboard.WebhookDelivery, error) {
	var d switchboard.WebhookDelivery
	var created, retryFrom, next, last sql.NullInt64
	var keyID string
	var payload []byte
	if err := row.Scan(&d.ID, &d.SubscriptionID, &d.EventType, &payload, &d.State, &d.Attempts, &created, &retryFrom,
		&next, &last, &d.LastStatus, &d.LastLatencyMS, &d.LastError, &keyID); err != nil {
		return nil, err
	}
	plain, err := db.codec.Open(ctx, keyID, "webhook_deliveries", "payload", d.ID, payload)
	if err != nil {
		return nil, err
	}
	d.Payload = plain
	d.CreatedAt, d.RetryFrom, d.NextAttemptAt, d.LastAttemptAt = fromMicros(created), fromMicros(retryFrom), fromMicros(next), fromMicros(last)
	return &d, nil
}

func (db *DB) queryDeliveries(ctx context.Context, q querier, where string, args ...any) ([]*switchboard.WebhookDelivery, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+webhookDeliveryColumns+` FROM webhook_deliveries d
		JOIN webhook_subscriptions s ON s.id = d.subscription_id `+where, args...)
	if err != nil {
		return nil, fmt.Errorf("read webhook deliveries: %w", err)
	}
	defer rows.Close()
	out := []*switchboard.WebhookDelivery{}
	for rows.Next() {
		d, err := db.scanDelivery(ctx, rows)
		if err != nil {
			return nil, fmt.Errorf("read webhook deliveries: %w", err)
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// ClaimWebhookDeliveries leases up to n due pending deliveries, oldest
// first, as many as [switchboard.ClaimTake] lets fit in maxBytes of
// payloads, and counts an attempt on each.
func (db *DB) ClaimWebhookDeliveries(ctx context.Context, n int, maxBytes int64, lease time.Duration, now time.Time) ([]*switchboard.WebhookDelivery, error) {
	out := []*switchboard.WebhookDelivery{}
	if n <= 0 {
		return out, nil
	}
	err := db.write(ctx, func(ctx context.Context, tx *writeTx) error {
		rows, err := tx.QueryContext(ctx, `SELECT id, length(payload) FROM webhook_deliveries
			WHERE state = 'pending' AND next_attempt_at <= ?1 AND (leased_until IS NULL OR leased_until <= ?1)
			ORDER BY next_attempt_at, id LIMIT ?2`, micros(now), n)
		if err != nil {
			return fmt.Errorf("claim webhook deliveries: %w", err)
		}
		var ids []any
		var sizes []int64
		for rows.Next() {
			var id string
			var size sql.NullInt64
			if err := rows.Scan(&id, &size); err != nil {
				rows.Close()
				return fmt.Errorf("claim webhook deliveries: %w", err)
			}
			ids, sizes = append(ids, id), append(sizes, size.Int64)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("claim webhook deliveries: %w", err)
		}
		ids = ids[:switchboard.ClaimTake(sizes, maxBytes)]
		if len(ids) == 0 {
			out = out[:0]
			return nil
		}
		if _, err := tx.ExecContext(ctx, `UPDATE webhook_deliveries SET leased_until = ?, attempts = attempts + 1
			WHERE id IN (`+placeholders(len(ids))+`)`, append([]any{micros(now.Add(lease))}, ids...)...); err != nil {
			return fmt.Errorf("lease webhook deliveries: %w", err)
		}
		out, err = db.queryDeliveries(ctx, tx, `WHERE d.id IN (`+placeholders(len(ids))+`) ORDER BY d.next_attempt_at, d.id`, ids...)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// RecordWebhookAttempt stores an attempt's result and ends the lease.
func (db *DB) RecordWebhookAttempt(ctx context.Context, id string, r switchboard.WebhookAttempt) error {
	return db.write(ctx, func(ctx context.Context, tx *writeTx) error {
		res, err := tx.ExecContext(ctx, `UPDATE webhook_deliveries SET state = ?, next_attempt_at = ?, leased_until = NULL,
			last_attempt_at = ?, last_status = ?, last_latency_ms = ?, last_error = ? WHERE id = ?`,
			r.State, micros(r.Next), micros(r.At), r.Status, r.LatencyMS, r.Error, id)
		if err != nil {
			return fmt.Errorf("record webhook attempt: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return switchboard.NotFound("Delivery")
		}
		return nil
	})
}

// WebhookDeliveries lists a subscription's deliveries, newest first.
func (db *DB) WebhookDeliveries(ctx context.Context, subscriptionID string, limit int) ([]*switchboard.WebhookDelivery, error) {
	if limit <= 0 {
		limit = 50
	}
	limit = min(limit, 200)
	return db.queryDeliveries(ctx, db.rdb, `WHERE d.subscription_id = ? ORDER BY d.created_at DESC, d.id DESC LIMIT ?`, subscriptionID, limit)
}

// WebhookDelivery returns one delivery or ENotFound.
func (db *DB) WebhookDelivery(ctx context.Context, id string) (*switchboard.WebhookDelivery, error) {
	ds, err := db.queryDeliveries(ctx, db.rdb, `WHERE d.id = ?`, id)
	if err != nil {
		return nil, err
	}
	if len(ds) == 0 {
		return nil, switchboard.NotFound("Delivery")
	}
	return ds[0], nil
}

// RedeliverWebhook makes a delivery pending and due at now again.
func (db *DB) RedeliverWebhook(ctx context.Context, id string, now time.Time) error {
	return db.write(ctx, func(ctx context.Context, tx *writeTx) error {
		res, err := tx.ExecContext(ctx, `UPDATE webhook_deliveries SET state = 'pending', attempts = 0, retry_from = ?1,
			next_attempt_at = ?1, leased_until = NULL WHERE id = ?2`, micros(now), id)
		if err != nil {
			return fmt.Errorf("redeliver webhook: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return switchboard.NotFound("Delivery")
		}
		return nil
	})
}
