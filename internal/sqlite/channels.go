package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/internal/storecrypt"
	"github.com/switchboardhq/switchboard/internal/storekit"
)

const channelColumns = `id, name, phone_number_id, waba_id, display_phone_number, graph_url, key_id, secrets,
	mark_read, emulated, created_at, updated_at, retention_days, business_hours, bot_agent_id, coexistence, welcome_message,
	handoff_business_hours, handoff_bot_failures, away_message`

// scanChannel reads a channel row and opens its secrets; it also returns the
// channel's data key id.
func (db *DB) scanChannel(ctx context.Context, row interface{ Scan(...any) error }) (*switchboard.Channel, string, error) {
	var c switchboard.Channel
	var keyID string
	var secrets []byte
	var created, updated sql.NullInt64
	var hours *string
	if err := row.Scan(&c.ID, &c.Name, &c.PhoneNumberID, &c.WABAID, &c.DisplayPhoneNumber, &c.GraphURL, &keyID, &secrets,
		&c.MarkRead, &c.Emulated, &created, &updated, &c.RetentionDays, &hours, &c.BotAgentID, &c.Coexistence, &c.WelcomeMessage,
		&c.HandoffRules.BusinessHours, &c.HandoffRules.BotFailures, &c.AwayMessage); err != nil {
		return nil, "", err
	}
	var err error
	if c.BusinessHours, err = storekit.ParseBusinessHoursColumn(hours); err != nil {
		return nil, "", err
	}
	var s storecrypt.ChannelSecrets
	if err := db.codec.OpenJSON(ctx, keyID, "channels", "secrets", c.ID, secrets, &s); err != nil {
		return nil, "", err
	}
	c.AccessToken, c.AppSecret, c.VerifyToken = s.AccessToken, s.AppSecret, s.VerifyToken
	c.CreatedAt, c.UpdatedAt = fromMicros(created), fromMicros(updated)
	return &c, keyID, nil
}

func (db *DB) findChannel(ctx context.Context, q querier, where string, arg any) (*switchboard.Channel, string, error) {
	row := q.QueryRowContext(ctx, `SELECT `+channelColumns+` FROM channels WHERE `+where, arg)
	c, keyID, err := db.scanChannel(ctx, row)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, "", switchboard.NotFound("Channel")
	} else if err != nil {
		return nil, "", fmt.Errorf("get channel: %w", err)
	}
	return c, keyID, nil
}

func (db *DB) sealSecrets(ctx context.Context, keyID string, c *switchboard.Channel) ([]byte, error) {
	return db.codec.SealJSON(ctx, keyID, "channels", "secrets", c.ID, storecrypt.ChannelSecrets{
		AccessToken: c.AccessToken, AppSecret: c.AppSecret, VerifyToken: c.VerifyToken,
	})
}

// CreateChannel stores c with its secrets sealed under a new channel key.
func (db *DB) CreateChannel(ctx context.Context, c *switchboard.Channel) error {
	if strings.TrimSpace(c.PhoneNumberID) == "" {
		return switchboard.ErrPhoneNumberNeeded
	}
	return db.write(ctx, func(ctx context.Context, tx *writeTx) error {
		n := *c
		if n.ID == "" {
			n.ID = switchboard.NewID()
		}
		now := db.now()
		n.CreatedAt, n.UpdatedAt = now, now
		keyID, err := db.createKey(ctx, tx)
		if err != nil {
			return err
		}
		secrets, err := db.sealSecrets(ctx, keyID, &n)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO channels (`+channelColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			n.ID, n.Name, n.PhoneNumberID, n.WABAID, n.DisplayPhoneNumber, n.GraphURL, keyID, secrets,
			n.MarkRead, n.Emulated, micros(n.CreatedAt), micros(n.UpdatedAt), n.RetentionDays, storekit.BusinessHoursColumn(n.BusinessHours), n.BotAgentID, n.Coexistence, n.WelcomeMessage,
			n.HandoffRules.BusinessHours, n.HandoffRules.BotFailures, n.AwayMessage)
		if isPrimaryKey(err) {
			return switchboard.ErrChannelExists
		} else if isUnique(err) {
			return switchboard.ErrPhoneNumberTaken
		} else if err != nil {
			return fmt.Errorf("insert channel: %w", err)
		}
		*c = n
		return nil
	})
}

// Channel returns one channel with its secrets.
func (db *DB) Channel(ctx context.Context, id string) (*switchboard.Channel, error) {
	c, _, err := db.findChannel(ctx, db.rdb, "id = ?", id)
	return c, err
}

// ChannelByPhoneNumberID returns the channel of a Meta phone number id.
func (db *DB) ChannelByPhoneNumberID(ctx context.Context, phoneNumberID string) (*switchboard.Channel, error) {
	c, _, err := db.findChannel(ctx, db.rdb, "phone_number_id = ?", phoneNumberID)
	return c, err
}

// Channels returns every channel, by name.
func (db *DB) Channels(ctx context.Context) ([]*switchboard.Channel, error) {
	rows, err := db.rdb.QueryContext(ctx, `SELECT `+channelColumns+` FROM channels ORDER BY name, id`)
	if err != nil {
		return nil, fmt.Errorf("list channels: %w", err)
	}
	defer rows.Close()
	channels := []*switchboard.Channel{}
	for rows.Next() {
		c, _, err := db.scanChannel(ctx, rows)
		if err != nil {
			return nil, fmt.Errorf("list channels: %w", err)
		}
		channels = append(channels, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list channels: %w", err)
	}
	return channels, nil
}

// UpdateChannel applies upd, resealing the secrets when one changes.
func (db *DB) UpdateChannel(ctx context.Context, id string, upd switchboard.ChannelUpdate) (*switchboard.Channel, error) {
	var out *switchboard.Channel
	err := db.write(ctx, func(ctx context.Context, tx *writeTx) error {
		c, keyID, err := db.findChannel(ctx, tx, "id = ?", id)
		if err != nil {
			return err
		}
		c.Apply(upd, db.now())
		secrets, err := db.sealSecrets(ctx, keyID, c)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE channels SET name = ?, display_phone_number = ?, waba_id = ?, graph_url = ?,
			secrets = ?, mark_read = ?, retention_days = ?, business_hours = ?, bot_agent_id = ?, coexistence = ?, welcome_message = ?,
			handoff_business_hours = ?, handoff_bot_failures = ?, away_message = ?, updated_at = ? WHERE id = ?`,
			c.Name, c.DisplayPhoneNumber, c.WABAID, c.GraphURL, secrets, c.MarkRead, c.RetentionDays,
			storekit.BusinessHoursColumn(c.BusinessHours), c.BotAgentID, c.Coexistence, c.WelcomeMessage,
			c.HandoffRules.BusinessHours, c.HandoffRules.BotFailures, c.AwayMessage, micros(c.UpdatedAt), c.ID); err != nil {
			return fmt.Errorf("update channel: %w", err)
		}
		out = c
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
