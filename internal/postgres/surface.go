package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/switchboardhq/switchboard"
)

var _ switchboard.SurfaceStore = (*DB)(nil)

// contactBy finds the contact a customer is on a channel, by phone number
// first, then by BSUID; "" if there is none.
func (db *DB) contactBy(ctx context.Context, q querier, channelID, waID, userID string) (id, keyID string, err error) {
	try := func(col string, hash []byte) (bool, error) {
		err := q.QueryRow(ctx, `SELECT id, key_id FROM contacts WHERE channel_id = $1 AND `+col+` = $2`, channelID, hash).Scan(&id, &keyID)
		if errors.Is(err, pgx.ErrNoRows) {
			return false, nil
		}
		return err == nil, err
	}
	if waID != "" {
		if ok, err := try("wa_id_hash", db.codec.ContactWaIDHash(channelID, waID)); ok || err != nil {
			return id, keyID, err
		}
	}
	if userID != "" {
		if ok, err := try("user_id_hash", db.codec.ContactUserIDHash(channelID, userID)); ok || err != nil {
			return id, keyID, err
		}
		// A contact known by BSUID alone is stored under the BSUID's index.
		if ok, err := try("wa_id_hash", db.codec.ContactWaIDHash(channelID, userID)); ok || err != nil {
			return id, keyID, err
		}
	}
	return "", "", nil
}

// ApplyPreferences implements [switchboard.SurfaceStore].
func (db *DB) ApplyPreferences(ctx context.Context, changes []switchboard.PreferenceChange) ([]string, error) {
	var changed []string
	err := db.withTx(ctx, func(tx *txn) error {
		changed = changed[:0]
		for _, c := range changes {
			id, _, err := db.contactBy(ctx, tx, c.ChannelID, c.WaID, c.UserID)
			if err != nil {
				return fmt.Errorf("find contact: %w", err)
			}
			if id == "" {
				continue
			}
			at := db.timeOr(c.At)
			tag, err := tx.Exec(ctx, `UPDATE contacts SET marketing_stopped = $1, marketing_at = $2
				WHERE id = $3 AND (marketing_at IS NULL OR marketing_at <= $2)
				AND (marketing_stopped IS DISTINCT FROM $1 OR marketing_at IS DISTINCT FROM $2)`, c.Stopped, at, id)
			if err != nil {
				return fmt.Errorf("record preference: %w", err)
			}
			if tag.RowsAffected() > 0 {
				changed = append(changed, id)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return changed, nil
}

// ContactProfile implements [switchboard.SurfaceStore].
func (db *DB) ContactProfile(ctx context.Context, contactID string) (*switchboard.ContactProfile, error) {
	ct, _, err := db.ContactConversations(ctx, contactID)
	if err != nil {
		return nil, err
	}
	p := &switchboard.ContactProfile{Contact: *ct, IdentityHistory: []switchboard.IdentityChange{}}
	var stopped *bool
	var at *time.Time
	if err := db.pool.QueryRow(ctx, `SELECT marketing_stopped, marketing_at FROM contacts WHERE id = $1`, contactID).Scan(&stopped, &at); err != nil {
		return nil, fmt.Errorf("get preference: %w", err)
	}
	if stopped != nil {
		p.Marketing = &switchboard.MarketingPreference{Stopped: *stopped, At: fromNull(at)}
	}
	rows, err := db.pool.Query(ctx, `SELECT id, key_id, ids, at FROM contact_identity_history WHERE contact_id = $1 ORDER BY at, id`, contactID)
	if err != nil {
		return nil, fmt.Errorf("list identity history: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, keyID string
		var sealed []byte
		var at time.Time
		if err := rows.Scan(&id, &keyID, &sealed, &at); err != nil {
			return nil, fmt.Errorf("list identity history: %w", err)
		}
		var c switchboard.IdentityChange
		if err := db.codec.OpenJSON(ctx, keyID, "contact_identity_history", "ids", id, sealed, &c); err != nil {
			return nil, err
		}
		c.ContactID, c.At = contactID, at.UTC()
		p.IdentityHistory = append(p.IdentityHistory, c)
	}
	return p, rows.Err()
}

// AddIdentityChanges implements [switchboard.SurfaceStore].
func (db *DB) AddIdentityChanges(ctx context.Context, changes []switchboard.IdentityChange) error {
	if len(changes) == 0 {
		return nil
	}
	return db.withTx(ctx, func(tx *txn) error {
		for _, c := range changes {
			var keyID string
			err := tx.QueryRow(ctx, `SELECT key_id FROM contacts WHERE id = $1`, c.ContactID).Scan(&keyID)
			if errors.Is(err, pgx.ErrNoRows) {
				continue
			} else if err != nil {
				return fmt.Errorf("find contact: %w", err)
			}
			id := switchboard.NewID()
			ids, err := db.codec.SealJSON(ctx, keyID, "contact_identity_history", "ids", id, c)
			if err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, `INSERT INTO contact_identity_history (id, contact_id, key_id, ids, at) VALUES ($1, $2, $3, $4, $5)`,
				id, c.ContactID, keyID, ids, db.timeOr(c.At)); err != nil {
				return fmt.Errorf("keep identity history: %w", err)
			}
		}
		return nil
	})
}

// AddChannelNotices implements [switchboard.SurfaceStore].
func (db *DB) AddChannelNotices(ctx context.Context, notices []switchboard.ChannelNotice) error {
	if len(notices) == 0 {
		return nil
	}
	return db.withTx(ctx, func(tx *txn) error {
		touched := map[string]bool{}
		for _, n := range notices {
			tag, err := tx.Exec(ctx, `INSERT INTO channel_notices (id, channel_id, field, kind, severity, summary, at)
				SELECT $1, $2, $3, $4, $5, $6, $7 WHERE EXISTS (SELECT 1 FROM channels WHERE id = $2) ON CONFLICT (id) DO NOTHING`,
				n.ID, n.ChannelID, n.Field, n.Kind, n.Severity, n.Summary, db.timeOr(n.At))
			if err != nil {
				return fmt.Errorf("keep channel notice: %w", err)
			}
			if tag.RowsAffected() > 0 {
				touched[n.ChannelID] = true
			}
		}
		for ch := range touched {
			if _, err := tx.Exec(ctx, `DELETE FROM channel_notices WHERE channel_id = $1 AND id NOT IN
				(SELECT id FROM channel_notices WHERE channel_id = $1 ORDER BY at DESC, id DESC LIMIT $2)`, ch, switchboard.MaxChannelNotices); err != nil {
				return fmt.Errorf("trim channel notices: %w", err)
			}
		}
		return nil
	})
}

// ChannelNotices implements [switchboard.SurfaceStore].
func (db *DB) ChannelNotices(ctx context.Context, channelID string, limit int) ([]*switchboard.ChannelNotice, error) {
	limit = min(max(limit, 1), switchboard.MaxChannelNotices)
	rows, err := db.pool.Query(ctx, `SELECT id, channel_id, field, kind, severity, summary, at FROM channel_notices
		WHERE channel_id = $1 ORDER BY at DESC, id DESC LIMIT $2`, channelID, limit)
	if err != nil {
		return nil, fmt.Errorf("list channel notices: %w", err)
	}
	defer rows.Close()
	out := []*switchboard.ChannelNotice{}
	for rows.Next() {
		var n switchboard.ChannelNotice
		if err := rows.Scan(&n.ID, &n.ChannelID, &n.Field, &n.Kind, &n.Severity, &n.Summary, &n.At); err != nil {
			return nil, fmt.Errorf("list channel notices: %w", err)
		}
		n.At = n.At.UTC()
		out = append(out, &n)
	}
	return out, rows.Err()
}

// AddSignals implements [switchboard.SurfaceStore].
func (db *DB) AddSignals(ctx context.Context, signals []switchboard.SignalFor) (int, error) {
	n := 0
	err := db.withTx(ctx, func(tx *txn) error {
		n = 0
		for _, s := range signals {
			ctID, _, err := db.contactBy(ctx, tx, s.ChannelID, s.WaID, s.UserID)
			if err != nil {
				return fmt.Errorf("find contact: %w", err)
			}
			if ctID == "" {
				continue
			}
			var convID, keyID string
			err = tx.QueryRow(ctx, `SELECT id, key_id FROM conversations WHERE contact_id = $1
				ORDER BY status <> 'resolved' DESC, updated_at DESC, id DESC LIMIT 1`, ctID).Scan(&convID, &keyID)
			if errors.Is(err, pgx.ErrNoRows) {
				continue
			} else if err != nil {
				return fmt.Errorf("find conversation: %w", err)
			}
			id := switchboard.NewID()
			raw, err := db.codec.Seal(ctx, keyID, "conversation_signals", "raw", id, s.Raw)
			if err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, `INSERT INTO conversation_signals (id, conversation_id, field, key_id, raw, at)
				VALUES ($1, $2, $3, $4, $5, $6)`, id, convID, s.Field, keyID, raw, db.timeOr(s.At)); err != nil {
				return fmt.Errorf("file signal: %w", err)
			}
			n++
			if _, err := tx.Exec(ctx, `DELETE FROM conversation_signals WHERE conversation_id = $1 AND id NOT IN
				(SELECT id FROM conversation_signals WHERE conversation_id = $1 ORDER BY at DESC, id DESC LIMIT $2)`,
				convID, switchboard.MaxConversationSignals); err != nil {
				return fmt.Errorf("trim signals: %w", err)
			}
		}
		return nil
	})
	return n, err
}

// ConversationSignals implements [switchboard.SurfaceStore].
func (db *DB) ConversationSignals(ctx context.Context, conversationID string) ([]*switchboard.ConversationSignal, error) {
	rows, err := db.pool.Query(ctx, `SELECT id, field, key_id, raw, at FROM conversation_signals
		WHERE conversation_id = $1 ORDER BY at, id`, conversationID)
	if err != nil {
		return nil, fmt.Errorf("list signals: %w", err)
	}
	defer rows.Close()
	out := []*switchboard.ConversationSignal{}
	for rows.Next() {
		s := &switchboard.ConversationSignal{ConversationID: conversationID}
		var keyID string
		var sealed []byte
		if err := rows.Scan(&s.ID, &s.Field, &keyID, &sealed, &s.At); err != nil {
			return nil, fmt.Errorf("list signals: %w", err)
		}
		raw, err := db.codec.Open(ctx, keyID, "conversation_signals", "raw", s.ID, sealed)
		if err != nil {
			return nil, err
		}
		s.Raw, s.At = raw, s.At.UTC()
		out = append(out, s)
	}
	return out, rows.Err()
}
