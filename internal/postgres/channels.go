package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/internal/storecrypt"
	"github.com/switchboardhq/switchboard/internal/storekit"
)

const channelColumns = `id, name, phone_number_id, waba_id, display_phone_number, graph_url, key_id, secrets, mark_read, emulated, created_at, updated_at, retention_days, business_hours, bot_agent_id, coexistence, welcome_message, handoff_business_hours, handoff_bot_failures, away_message`

// scanChannel reads a channel row and opens its sealed secrets.
func (db *DB) scanChannel(ctx context.Context, row pgx.Row) (*switchboard.Channel, error) {
	var c switchboard.Channel
	var keyID string
	var secrets []byte
	var hours *string
	if err := row.Scan(&c.ID, &c.Name, &c.PhoneNumberID, &c.WABAID, &c.DisplayPhoneNumber, &c.GraphURL,
		&keyID, &secrets, &c.MarkRead, &c.Emulated, &c.CreatedAt, &c.UpdatedAt, &c.RetentionDays, &hours, &c.BotAgentID, &c.Coexistence, &c.WelcomeMessage,
		&c.HandoffRules.BusinessHours, &c.HandoffRules.BotFailures, &c.AwayMessage); err != nil {
		return nil, err
	}
	var err error
	if c.BusinessHours, err = storekit.ParseBusinessHoursColumn(hours); err != nil {
		return nil, err
	}
	var s storecrypt.ChannelSecrets
	if err := db.codec.OpenJSON(ctx, keyID, "channels", "secrets", c.ID, secrets, &s); err != nil {
		return nil, err
	}
	c.AccessToken, c.AppSecret, c.VerifyToken = s.AccessToken, s.AppSecret, s.VerifyToken
	c.CreatedAt, c.UpdatedAt = c.CreatedAt.UTC(), c.UpdatedAt.UTC()
	return &c, nil
}

func channelError(err error) error {
	if code, constraint := pgError(err); code == uniqueViolation {
		if constraint == "channels_phone_number_id_key" {
			return switchboard.ErrPhoneNumberTaken
		}
		return switchboard.ErrChannelExists
	}
	return err
}

// CreateChannel inserts c with its secrets sealed under a new channel key.
func (db *DB) CreateChannel(ctx context.Context, c *switchboard.Channel) error {
	if strings.TrimSpace(c.PhoneNumberID) == "" {
		return switchboard.ErrPhoneNumberNeeded
	}
	if c.ID == "" {
		c.ID = switchboard.NewID()
	}
	now := db.now()
	if c.CreatedAt.IsZero() {
		c.CreatedAt = now
	}
	if c.UpdatedAt.IsZero() {
		c.UpdatedAt = c.CreatedAt
	}
	c.CreatedAt, c.UpdatedAt = utc(c.CreatedAt), utc(c.UpdatedAt)
	return db.withTx(ctx, func(tx *txn) error {
		keyID, err := db.newDataKey(ctx, tx, now)
		if err != nil {
			return err
		}
		secrets, err := db.codec.SealJSON(ctx, keyID, "channels", "secrets", c.ID, storecrypt.ChannelSecrets{
			AccessToken: c.AccessToken, AppSecret: c.AppSecret, VerifyToken: c.VerifyToken,
		})
		if err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `INSERT INTO channels (`+channelColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20)`,
			c.ID, c.Name, c.PhoneNumberID, c.WABAID, c.DisplayPhoneNumber, c.GraphURL, keyID, secrets,
			c.MarkRead, c.Emulated, c.CreatedAt, c.UpdatedAt, c.RetentionDays, storekit.BusinessHoursColumn(c.BusinessHours), c.BotAgentID, c.Coexistence, c.WelcomeMessage,
			c.HandoffRules.BusinessHours, c.HandoffRules.BotFailures, c.AwayMessage)
		if err != nil {
			if err := channelError(err); switchboard.ErrorCode(err) != switchboard.EInternal {
				return err
			}
			return fmt.Errorf("insert channel: %w", err)
		}
		return nil
	})
}

// Channel returns the channel with the given id.
func (db *DB) Channel(ctx context.Context, id string) (*switchboard.Channel, error) {
	c, err := db.scanChannel(ctx, db.pool.QueryRow(ctx, `SELECT `+channelColumns+` FROM channels WHERE id = $1`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, switchboard.NotFound("Channel")
	} else if err != nil {
		return nil, fmt.Errorf("get channel: %w", err)
	}
	return c, nil
}

// ChannelByPhoneNumberID returns the channel of a Meta phone number id.
func (db *DB) ChannelByPhoneNumberID(ctx context.Context, phoneNumberID string) (*switchboard.Channel, error) {
	c, err := db.scanChannel(ctx, db.pool.QueryRow(ctx, `SELECT `+channelColumns+` FROM channels WHERE phone_number_id = $1`, phoneNumberID))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, switchboard.NotFound("Channel")
	} else if err != nil {
		return nil, fmt.Errorf("get channel by phone number id: %w", err)
	}
	return c, nil
}

// Channels returns every channel, oldest first.
func (db *DB) Channels(ctx context.Context) ([]*switchboard.Channel, error) {
	rows, err := db.pool.Query(ctx, `SELECT `+channelColumns+` FROM channels ORDER BY created_at, id`)
	if err != nil {
		return nil, fmt.Errorf("list channels: %w", err)
	}
	defer rows.Close()
	channels, err := storekit.Collect(rows, func() (*switchboard.Channel, error) { return db.scanChannel(ctx, rows) })
	if err != nil {
		return nil, fmt.Errorf("list channels: %w", err)
	}
	return channels, nil
}

// UpdateChannel applies upd, resealing the secrets when one changes.
func (db *DB) UpdateChannel(ctx context.Context, id string, upd switchboard.ChannelUpdate) (*switchboard.Channel, error) {
	var c *switchboard.Channel
	err := db.withTx(ctx, func(tx *txn) error {
		var keyID string
		err := tx.QueryRow(ctx, `SELECT key_id FROM channels WHERE id = $1 FOR UPDATE`, id).Scan(&keyID)
		if errors.Is(err, pgx.ErrNoRows) {
			return switchboard.NotFound("Channel")
		} else if err != nil {
			return fmt.Errorf("lock channel: %w", err)
		}
		c, err = db.scanChannel(ctx, tx.QueryRow(ctx, `SELECT `+channelColumns+` FROM channels WHERE id = $1`, id))
		if err != nil {
			return fmt.Errorf("get channel: %w", err)
		}
		c.Apply(upd, db.now())
		secrets, err := db.codec.SealJSON(ctx, keyID, "channels", "secrets", c.ID, storecrypt.ChannelSecrets{
			AccessToken: c.AccessToken, AppSecret: c.AppSecret, VerifyToken: c.VerifyToken,
		})
		if err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `UPDATE channels SET name = $2, display_phone_number = $3, waba_id = $4, graph_url = $5,
			secrets = $6, mark_read = $7, updated_at = $8, retention_days = $9, business_hours = $10, bot_agent_id = $11, coexistence = $12, welcome_message = $13,
			handoff_business_hours = $14, handoff_bot_failures = $15, away_message = $16 WHERE id = $1`,
			c.ID, c.Name, c.DisplayPhoneNumber, c.WABAID, c.GraphURL, secrets, c.MarkRead, c.UpdatedAt, c.RetentionDays,
			storekit.BusinessHoursColumn(c.BusinessHours), c.BotAgentID, c.Coexistence, c.WelcomeMessage, c.HandoffRules.BusinessHours, c.HandoffRules.BotFailures, c.AwayMessage)
		if err != nil {
			return fmt.Errorf("update channel: %w", err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return c, nil
}
