package postgres

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/switchboardhq/switchboard"
)

// ChannelHealth returns a channel's health with its queue depths.
func (db *DB) ChannelHealth(ctx context.Context, channelID string) (*switchboard.ChannelHealth, error) {
	var h switchboard.ChannelHealth
	var lastWebhook, lastSend, synced *time.Time
	err := db.pool.QueryRow(ctx, `SELECT last_webhook_at, last_send_at, token_state, token_error, templates_synced_at, template_sync_error,
			(SELECT count(*) FROM outbox WHERE channel_id = c.id),
			(SELECT count(*) FROM webhook_inbox WHERE channel_id = c.id AND dead_reason IS NULL)
		FROM channels c WHERE id = $1`, channelID).
		Scan(&lastWebhook, &lastSend, &h.TokenState, &h.TokenError, &synced, &h.TemplateSyncError, &h.OutboxDepth, &h.WebhookQueueDepth)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, switchboard.NotFound("Channel")
	} else if err != nil {
		return nil, fmt.Errorf("get channel health: %w", err)
	}
	h.LastWebhookAt, h.LastSendAt, h.TemplatesSyncedAt = fromNull(lastWebhook), fromNull(lastSend), fromNull(synced)
	return &h, nil
}

// UpdateChannelHealth applies the non-nil fields of u. The last webhook and
// send times only move forward.
func (db *DB) UpdateChannelHealth(ctx context.Context, channelID string, u switchboard.HealthUpdate) error {
	// NULL parameters keep the column; GREATEST ignores NULLs.
	ptime := func(t *time.Time) any {
		if t == nil {
			return nil
		}
		return nullTime(*t)
	}
	ptoken := func(s *switchboard.TokenState) any {
		if s == nil {
			return nil
		}
		return string(*s)
	}
	pstr := func(s *string) any {
		if s == nil {
			return nil
		}
		return *s
	}
	var setSynced bool
	if u.TemplatesSyncedAt != nil {
		setSynced = true
	}
	tag, err := db.pool.Exec(ctx, `UPDATE channels SET
			last_webhook_at = GREATEST(last_webhook_at, $2::timestamptz),
			last_send_at = GREATEST(last_send_at, $3::timestamptz),
			token_state = coalesce($4::text, token_state),
			token_error = coalesce($5::text, token_error),
			templates_synced_at = CASE WHEN $6::boolean THEN $7::timestamptz ELSE templates_synced_at END,
			template_sync_error = coalesce($8::text, template_sync_error)
		WHERE id = $1`,
		channelID, ptime(u.LastWebhookAt), ptime(u.LastSendAt), ptoken(u.TokenState), pstr(u.TokenError),
		setSynced, ptime(u.TemplatesSyncedAt), pstr(u.TemplateSyncError))
	if err != nil {
		return fmt.Errorf("update channel health: %w", err)
	} else if tag.RowsAffected() == 0 {
		return switchboard.NotFound("Channel")
	}
	return nil
}

// ReplaceTemplates swaps a channel's templates for a fresh sync and records
// the sync time, in one transaction.
func (db *DB) ReplaceTemplates(ctx context.Context, channelID string, ts []*switchboard.Template, at time.Time) error {
	at = db.timeOr(at)
	return db.withTx(ctx, func(tx *txn) error {
		tag, err := tx.Exec(ctx, `UPDATE channels SET templates_synced_at = $2 WHERE id = $1`, channelID, at)
		if err != nil {
			return fmt.Errorf("record template sync: %w", err)
		} else if tag.RowsAffected() == 0 {
			return switchboard.NotFound("Channel")
		}
		if _, err := tx.Exec(ctx, `DELETE FROM templates WHERE channel_id = $1`, channelID); err != nil {
			return fmt.Errorf("delete templates: %w", err)
		}
		if len(ts) == 0 {
			return nil
		}
		b := &pgx.Batch{}
		for _, t := range ts {
			if err := t.Validate(); err != nil {
				return err
			}
			// A repeated name and language keeps the last one.
			b.Queue(`INSERT INTO templates (channel_id, name, language, status, category, parameter_format, components, synced_at, quality)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
				ON CONFLICT (channel_id, name, language) DO UPDATE SET status = EXCLUDED.status, category = EXCLUDED.category,
					parameter_format = EXCLUDED.parameter_format, components = EXCLUDED.components, quality = EXCLUDED.quality`,
				channelID, t.Name, t.Language, t.Status, t.Category, t.ParameterFormat, components(t.Components), at, t.Quality)
		}
		if err := tx.SendBatch(ctx, b).Close(); err != nil {
			return fmt.Errorf("insert templates: %w", err)
		}
		return nil
	})
}

// Templates returns a channel's templates sorted by name and language.
func (db *DB) Templates(ctx context.Context, channelID string) ([]*switchboard.Template, error) {
	rows, err := db.pool.Query(ctx, `SELECT channel_id, name, language, status, category, parameter_format, components, synced_at, quality
		FROM templates WHERE channel_id = $1 ORDER BY name, language`, channelID)
	if err != nil {
		return nil, fmt.Errorf("list templates: %w", err)
	}
	ts, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (*switchboard.Template, error) {
		var t switchboard.Template
		var components string
		if err := row.Scan(&t.ChannelID, &t.Name, &t.Language, &t.Status, &t.Category, &t.ParameterFormat, &components, &t.SyncedAt, &t.Quality); err != nil {
			return nil, err
		}
		t.Components = json.RawMessage(components)
		t.SyncedAt = t.SyncedAt.UTC()
		return &t, nil
	})
	if err != nil {
		return nil, fmt.Errorf("list templates: %w", err)
	}
	if ts == nil {
		ts = []*switchboard.Template{}
	}
	return ts, nil
}

// components returns a template's components as stored: "[]" when Meta
// sent none.
func components(c json.RawMessage) string {
	if len(bytes.TrimSpace(c)) == 0 {
		return "[]"
	}
	return string(c)
}
