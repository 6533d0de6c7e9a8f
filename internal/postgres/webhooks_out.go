package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/switchboardhq/switchboard"
)

const webhookSubColumns = `id, description, url, events, all_channels, channel_ids, active, key_id, secret, created_by, created_at, updated_at`

const webhookDeliveryColumns = `d.id, d.subscription_id, d.event_type, d.payload, d.state, d.attempts, d.created_at, d.retry_from,
	d.next_attempt_at, d.last_attempt_at, d.last_status, d.last_latency_ms, d.last_error, s.key_id`

func nonNil(v []string) []string {
	if v == nil {
		return []string{}
	}
	return v
}

// jsonList encodes a list as the JSON text the column holds (the same
// shape as SQLite's, so a dump moves between the stores unchanged).
func jsonList(v []string) string {
	b, _ := json.Marshal(nonNil(v))
	return string(b)
}

// CreateWebhookSubscription stores w with its secret sealed under a new
// data key, which also seals its deliveries' payloads.
func (db *DB) CreateWebhookSubscription(ctx context.Context, w *switchboard.WebhookSubscription) error {
	n := *w
	if n.ID == "" {
		n.ID = switchboard.NewID()
	}
	now := db.now()
	n.CreatedAt, n.UpdatedAt = now, now
	err := db.withTx(ctx, func(tx *txn) error {
		keyID, err := db.newDataKey(ctx, tx, now)
		if err != nil {
			return err
		}
		secret, err := db.codec.Seal(ctx, keyID, "webhook_subscriptions", "secret", n.ID, []byte(n.Secret))
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO webhook_subscriptions (`+webhookSubColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
			n.ID, n.Description, n.URL, jsonList(n.Events), n.AllChannels, jsonList(n.ChannelIDs), n.Active, keyID, secret, n.CreatedBy,
			n.CreatedAt, n.UpdatedAt); err != nil {
			return fmt.Errorf("insert webhook subscription: %w", err)
		}
		return nil
	})
	if err != nil {
		return err
	}
	*w = n
	return nil
}

func (db *DB) scanWebhookSub(ctx context.Context, row pgx.Row) (*switchboard.WebhookSubscription, error) {
	var w switchboard.WebhookSubscription
	var keyID, events, channels string
	var secret []byte
	if err := row.Scan(&w.ID, &w.Description, &w.URL, &events, &w.AllChannels, &channels, &w.Active, &keyID, &secret,
		&w.CreatedBy, &w.CreatedAt, &w.UpdatedAt); err != nil {
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
	w.CreatedAt, w.UpdatedAt = w.CreatedAt.UTC(), w.UpdatedAt.UTC()
	w.Events, w.ChannelIDs = nonNil(w.Events), nonNil(w.ChannelIDs)
	return &w, nil
}

// WebhookSubscription returns one subscription or ENotFound.
func (db *DB) WebhookSubscription(ctx context.Context, id string) (*switchboard.WebhookSubscription, error) {
	w, err := db.scanWebhookSub(ctx, db.pool.QueryRow(ctx, `SELECT `+webhookSubColumns+` FROM webhook_subscriptions WHERE id = $1`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, switchboard.NotFound("Webhook")
	} else if err != nil {
		return nil, fmt.Errorf("get webhook subscription: %w", err)
	}
	return w, nil
}

// WebhookSubscriptions lists every subscription, oldest first.
func (db *DB) WebhookSubscriptions(ctx context.Context) ([]*switchboard.WebhookSubscription, error) {
	rows, err := db.pool.Query(ctx, `SELECT `+webhookSubColumns+` FROM webhook_subscriptions ORDER BY created_at, id`)
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
	var keyID string
	err := db.pool.QueryRow(ctx, `SELECT key_id FROM webhook_subscriptions WHERE id = $1`, w.ID).Scan(&keyID)
	if errors.Is(err, pgx.ErrNoRows) {
		return switchboard.NotFound("Webhook")
	} else if err != nil {
		return fmt.Errorf("update webhook subscription: %w", err)
	}
	secret, err := db.codec.Seal(ctx, keyID, "webhook_subscriptions", "secret", w.ID, []byte(w.Secret))
	if err != nil {
		return err
	}
	w.UpdatedAt = db.now()
	// A transaction, so that the audit entry of the action goes with it.
	return db.withTx(ctx, func(tx *txn) error {
		tag, err := tx.Exec(ctx, `UPDATE webhook_subscriptions SET description = $1, url = $2, events = $3, all_channels = $4,
			channel_ids = $5, active = $6, secret = $7, updated_at = $8 WHERE id = $9`,
			w.Description, w.URL, jsonList(w.Events), w.AllChannels, jsonList(w.ChannelIDs), w.Active, secret, w.UpdatedAt, w.ID)
		if err != nil {
			return fmt.Errorf("update webhook subscription: %w", err)
		}
		if tag.RowsAffected() == 0 {
			return switchboard.NotFound("Webhook")
		}
		return nil
	})
}

// DeleteWebhookSubscription removes a subscription and (by cascade) its
// deliveries.
func (db *DB) DeleteWebhookSubscription(ctx context.Context, id string) error {
	return db.withTx(ctx, func(tx *txn) error {
		tag, err := tx.Exec(ctx, `DELETE FROM webhook_subscriptions WHERE id = $1`, id)
		if err != nil {
			return fmt.Errorf("delete webhook subscription: %w", err)
		}
		if tag.RowsAffected() == 0 {
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
	return db.insertDeliveries(ctx, db.pool, ds)
}

// batcher is what the pool and a transaction offer for a batch of rows.
type batcher interface {
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
	SendBatch(ctx context.Context, b *pgx.Batch) pgx.BatchResults
}

// insertDeliveries stores ds through q; a delivery whose id is stored
// already stays as it is, one of a deleted subscription is dropped.
func (db *DB) insertDeliveries(ctx context.Context, q batcher, ds []*switchboard.WebhookDelivery) error {
	keys := map[string]string{}
	batch := &pgx.Batch{}
	for _, d := range ds {
		keyID, ok := keys[d.SubscriptionID]
		if !ok {
			err := q.QueryRow(ctx, `SELECT key_id FROM webhook_subscriptions WHERE id = $1`, d.SubscriptionID).Scan(&keyID)
			if err != nil && !errors.Is(err, pgx.ErrNoRows) {
				return fmt.Errorf("enqueue webhook delivery: %w", err)
			}
			keys[d.SubscriptionID] = keyID
		}
		if keyID == "" {
			continue // deleted meanwhile
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
		// The INSERT … SELECT drops a delivery whose subscription was
		// deleted after the key lookup instead of failing the batch.
		batch.Queue(`INSERT INTO webhook_deliveries (id, subscription_id, event_type, payload, state, created_at, retry_from, next_attempt_at)
			SELECT $1, id, $3, $4, $5, $6, $6, $6 FROM webhook_subscriptions WHERE id = $2
			ON CONFLICT (id) DO NOTHING`,
			d.ID, d.SubscriptionID, d.EventType, payload, d.State, d.CreatedAt)
	}
	if batch.Len() == 0 {
		return nil
	}
	if err := q.SendBatch(ctx, batch).Close(); err != nil {
		return fmt.Errorf("insert webhook deliveries: %w", err)
	}
	return nil
}

func (db *DB) scanDelivery(ctx context.Context, row pgx.Row) (*switchboard.WebhookDelivery, error) {
	var d switchboard.WebhookDelivery
	var next, last *time.Time
	var keyID string
	var payload []byte
	if err := row.Scan(&d.ID, &d.SubscriptionID, &d.EventType, &payload, &d.State, &d.Attempts, &d.CreatedAt, &d.RetryFrom,
		&next, &last, &d.LastStatus, &d.LastLatencyMS, &d.LastError, &keyID); err != nil {
		return nil, err
	}
	plain, err := db.codec.Open(ctx, keyID, "webhook_deliveries", "payload", d.ID, payload)
	if err != nil {
		return nil, err
	}
	d.Payload = plain
	d.CreatedAt, d.RetryFrom, d.NextAttemptAt, d.LastAttemptAt = d.CreatedAt.UTC(), d.RetryFrom.UTC(), fromNull(next), fromNull(last)
	return &d, nil
}

func (db *DB) queryDeliveries(ctx context.Context, where string, args ...any) ([]*switchboard.WebhookDelivery, error) {
	rows, err := db.pool.Query(ctx, `SELECT `+webhookDeliveryColumns+` FROM webhook_deliveries d
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

// claimDeliveriesSQL locks the due pending deliveries with their payload
// sizes; rows another claimer holds are skipped.
const claimDeliveriesSQL = `SELECT id, octet_length(payload) FROM webhook_deliveries
	WHERE state = 'pending' AND next_attempt_at <= $1 AND (leased_until IS NULL OR leased_until <= $1)
	ORDER BY next_attempt_at, id
	LIMIT $2
	FOR UPDATE SKIP LOCKED`

// ClaimWebhookDeliveries leases up to n due pending deliveries, oldest
// first, as many as [switchboard.ClaimTake] lets fit in maxBytes of
// payloads, and counts an attempt on each.
func (db *DB) ClaimWebhookDeliveries(ctx context.Context, n int, maxBytes int64, lease time.Duration, now time.Time) ([]*switchboard.WebhookDelivery, error) {
	if n <= 0 {
		return []*switchboard.WebhookDelivery{}, nil
	}
	now = utc(now)
	var ids []string
	err := db.withTx(ctx, func(tx *txn) error {
		var err error
		if ids, err = claimCandidates[string](ctx, tx, claimDeliveriesSQL, maxBytes, now, n); err != nil || len(ids) == 0 {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE webhook_deliveries SET leased_until = $2, attempts = attempts + 1 WHERE id = ANY($1)`,
			ids, now.Add(lease)); err != nil {
			return fmt.Errorf("claim webhook deliveries: %w", err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(ids) == 0 {
		return []*switchboard.WebhookDelivery{}, nil
	}
	return db.queryDeliveries(ctx, `WHERE d.id = ANY($1) ORDER BY d.next_attempt_at, d.id`, ids)
}

// RecordWebhookAttempt stores an attempt's result and ends the lease.
func (db *DB) RecordWebhookAttempt(ctx context.Context, id string, r switchboard.WebhookAttempt) error {
	tag, err := db.pool.Exec(ctx, `UPDATE webhook_deliveries SET state = $1, next_attempt_at = $2, leased_until = NULL,
		last_attempt_at = $3, last_status = $4, last_latency_ms = $5, last_error = $6 WHERE id = $7`,
		r.State, nullTime(r.Next), nullTime(r.At), r.Status, r.LatencyMS, r.Error, id)
	if err != nil {
		return fmt.Errorf("record webhook attempt: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return switchboard.NotFound("Delivery")
	}
	return nil
}

// WebhookDeliveries lists a subscription's deliveries, newest first.
func (db *DB) WebhookDeliveries(ctx context.Context, subscriptionID string, limit int) ([]*switchboard.WebhookDelivery, error) {
	if limit <= 0 {
		limit = 50
	}
	limit = min(limit, 200)
	return db.queryDeliveries(ctx, `WHERE d.subscription_id = $1 ORDER BY d.created_at DESC, d.id DESC LIMIT $2`, subscriptionID, limit)
}

// WebhookDelivery returns one delivery or ENotFound.
func (db *DB) WebhookDelivery(ctx context.Context, id string) (*switchboard.WebhookDelivery, error) {
	ds, err := db.queryDeliveries(ctx, `WHERE d.id = $1`, id)
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
	tag, err := db.pool.Exec(ctx, `UPDATE webhook_deliveries SET state = 'pending', attempts = 0, retry_from = $1,
		next_attempt_at = $1, leased_until = NULL WHERE id = $2`, utc(now), id)
	if err != nil {
		return fmt.Errorf("redeliver webhook: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return switchboard.NotFound("Delivery")
	}
	return nil
}
