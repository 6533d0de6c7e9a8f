package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/switchboardhq/switchboard"
)

// Channel health and templates.

func channelExists(ctx context.Context, q querier, id string) error {
	var ok bool
	if err := q.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM channels WHERE id = ?)`, id).Scan(&ok); err != nil {
		return fmt.Errorf("check channel: %w", err)
	}
	if !ok {
		return switchboard.NotFound("Channel")
	}
	return nil
}

// ChannelHealth returns a channel's health with its queue depths.
func (db *DB) ChannelHealth(ctx context.Context, channelID string) (*switchboard.ChannelHealth, error) {
	var h switchboard.ChannelHealth
	var webhook, send, synced sql.NullInt64
	err := db.rdb.QueryRowContext(ctx, `SELECT c.last_webhook_at, c.last_send_at, c.token_state, c.token_error,
			c.templates_synced_at, c.template_sync_error,
			(SELECT COUNT(*) FROM outbox o WHERE o.channel_id = c.id),
			(SELECT COUNT(*) FROM webhook_inbox w WHERE w.channel_id = c.id AND w.dead_reason IS NULL)
		FROM channels c WHERE c.id = ?`, channelID).Scan(&webhook, &send, &h.TokenState, &h.TokenError, &synced,
		&h.TemplateSyncError, &h.OutboxDepth, &h.WebhookQueueDepth)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, switchboard.NotFound("Channel")
	} else if err != nil {
		return nil, fmt.Errorf("get channel health: %w", err)
	}
	h.LastWebhookAt, h.LastSendAt, h.TemplatesSyncedAt = fromMicros(webhook), fromMicros(send), fromMicros(synced)
	return &h, nil
}

// UpdateChannelHealth applies the non-nil fields of u; the last webhook and
// send times only move forward.
func (db *DB) UpdateChannelHealth(ctx context.Context, channelID string, u switchboard.HealthUpdate) error {
	var set []string
	var args []any
	forward := func(col string, t *time.Time) {
		if t != nil && !t.IsZero() {
			set = append(set, col+" = MAX(COALESCE("+col+", ?), ?)")
			args = append(args, micros(*t), micros(*t))
		}
	}
	text := func(col string, s *string) {
		if s != nil {
			set, args = append(set, col+" = ?"), append(args, *s)
		}
	}
	forward("last_webhook_at", u.LastWebhookAt)
	forward("last_send_at", u.LastSendAt)
	if u.TokenState != nil {
		set, args = append(set, "token_state = ?"), append(args, string(*u.TokenState))
	}
	text("token_error", u.TokenError)
	if u.TemplatesSyncedAt != nil {
		set, args = append(set, "templates_synced_at = ?"), append(args, micros(*u.TemplatesSyncedAt))
	}
	text("template_sync_error", u.TemplateSyncError)
	return db.write(ctx, func(ctx context.Context, tx *writeTx) error {
		if len(set) == 0 {
			return channelExists(ctx, tx, channelID)
		}
		res, err := tx.ExecContext(ctx, `UPDATE channels SET `+strings.Join(set, ", ")+` WHERE id = ?`, append(args, channelID)...)
		if err != nil {
			return fmt.Errorf("update channel health: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return switchboard.NotFound("Channel")
		}
		return nil
	})
}

// ReplaceTemplates swaps a channel's templates for a fresh sync and records
// when it happened.
func (db *DB) ReplaceTemplates(ctx context.Context, channelID string, ts []*switchboard.Template, at time.Time) error {
	at = db.orNow(at)
	return db.write(ctx, func(ctx context.Context, tx *writeTx) error {
		res, err := tx.ExecContext(ctx, `UPDATE channels SET templates_synced_at = ? WHERE id = ?`, micros(at), channelID)
		if err != nil {
			return fmt.Errorf("replace templates: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return switchboard.NotFound("Channel")
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM templates WHERE channel_id = ?`, channelID); err != nil {
			return fmt.Errorf("replace templates: %w", err)
		}
		for _, t := range ts {
			if err := t.Validate(); err != nil {
				return err
			}
			components := string(t.Components)
			if strings.TrimSpace(components) == "" {
				components = "[]"
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO templates (channel_id, name, language, status, category,
				parameter_format, components, synced_at, quality) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
				ON CONFLICT (channel_id, name, language) DO UPDATE SET status = excluded.status, category = excluded.category,
					parameter_format = excluded.parameter_format, components = excluded.components, quality = excluded.quality`,
				channelID, t.Name, t.Language, t.Status, t.Category, t.ParameterFormat, components, micros(at), t.Quality); err != nil {
				return fmt.Errorf("insert template: %w", err)
			}
		}
		return nil
	})
}

// Templates returns a channel's templates by name and language; an unknown
// channel has none.
func (db *DB) Templates(ctx context.Context, channelID string) ([]*switchboard.Template, error) {
	rows, err := db.rdb.QueryContext(ctx, `SELECT channel_id, name, language, status, category, parameter_format, components, synced_at, quality
		FROM templates WHERE channel_id = ? ORDER BY name, language`, channelID)
	if err != nil {
		return nil, fmt.Errorf("list templates: %w", err)
	}
	defer rows.Close()
	out := []*switchboard.Template{}
	for rows.Next() {
		var t switchboard.Template
		var components string
		var synced sql.NullInt64
		if err := rows.Scan(&t.ChannelID, &t.Name, &t.Language, &t.Status, &t.Category, &t.ParameterFormat, &components, &synced, &t.Quality); err != nil {
			return nil, fmt.Errorf("list templates: %w", err)
		}
		t.Components = json.RawMessage(components)
		t.SyncedAt = fromMicros(synced)
		out = append(out, &t)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list templates: %w", err)
	}
	return out, nil
}
