package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/switchboardhq/switchboard"
)

var _ switchboard.SurfaceStore = (*DB)(nil)

// contactBy finds the contact a customer is on a channel, by phone number
// first, then by BSUID; "" if there is none.
func (db *DB) contactBy(ctx context.Context, q querier, channelID, waID, userID string) (id, keyID string, err error) {
	try := func(col string, hash []byte) (bool, error) {
		err := q.QueryRowContext(ctx, `SELECT id, key_id FROM contacts WHERE channel_id = ? AND `+col+` = ?`, channelID, hash).Scan(&id, &keyID)
		if errors.Is(err, sql.ErrNoRows) {
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
	err := db.write(ctx, func(ctx context.Context, tx *writeTx) error {
		changed = changed[:0]
		for _, c := range changes {
			id, _, err := db.contactBy(ctx, tx, c.ChannelID, c.WaID, c.UserID)
			if err != nil {
				return fmt.Errorf("find contact: %w", err)
			}
			if id == "" {
				continue
			}
			res, err := tx.ExecContext(ctx, `UPDATE contacts SET marketing_stopped = ?, marketing_at = ?
				WHERE id = ? AND (marketing_at IS NULL OR marketing_at <= ?) AND (marketing_stopped IS NOT ? OR marketing_at IS NOT ?)`,
				c.Stopped, micros(c.At), id, micros(c.At), c.Stopped, micros(c.At))
			if err != nil {
				return fmt.Errorf("record preference: %w", err)
			}
			if n, _ := res.RowsAffected(); n > 0 {
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
	var stopped sql.NullBool
	var at sql.NullInt64
	if err := db.rdb.QueryRowContext(ctx, `SELECT marketing_stopped, marketing_at FROM contacts WHERE id = ?`, contactID).Scan(&stopped, &at); err != nil {
		return nil, fmt.Errorf("get preference: %w", err)
	}
	if stopped.Valid {
		p.Marketing = &switchboard.MarketingPreference{Stopped: stopped.Bool, At: fromMicros(at)}
	}
	rows, err := db.rdb.QueryContext(ctx, `SELECT id, key_id, ids, at FROM contact_identity_history WHERE contact_id = ? ORDER BY at, id`, contactID)
	if err != nil {
		return nil, fmt.Errorf("list identity history: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, keyID string
		var sealed []byte
		var at sql.NullInt64
		if err := rows.Scan(&id, &keyID, &sealed, &at); err != nil {
			return nil, fmt.Errorf("list identity history: %w", err)
		}
		var c switchboard.IdentityChange
		if err := db.codec.OpenJSON(ctx, keyID, "contact_identity_history", "ids", id, sealed, &c); err != nil {
			return nil, err
		}
		c.ContactID, c.At = contactID, fromMicros(at)
		p.IdentityHistory = append(p.IdentityHistory, c)
	}
	return p, rows.Err()
}

// AddIdentityChanges implements [switchboard.SurfaceStore].
func (db *DB) AddIdentityChanges(ctx context.Context, changes []switchboard.IdentityChange) error {
	type sealedChange struct {
		id, contactID, keyID string
		ids                  []byte
		at                   time.Time
	}
	var todo []sealedChange
	for _, c := range changes {
		var keyID string
		err := db.rdb.QueryRowContext(ctx, `SELECT key_id FROM contacts WHERE id = ?`, c.ContactID).Scan(&keyID)
		if errors.Is(err, sql.ErrNoRows) {
			continue
		} else if err != nil {
			return fmt.Errorf("find contact: %w", err)
		}
		id := switchboard.NewID()
		ids, err := db.codec.SealJSON(ctx, keyID, "contact_identity_history", "ids", id, c)
		if err != nil {
			return err
		}
		todo = append(todo, sealedChange{id, c.ContactID, keyID, ids, db.orNow(c.At)})
	}
	if len(todo) == 0 {
		return nil
	}
	return db.write(ctx, func(ctx context.Context, tx *writeTx) error {
		for _, c := range todo {
			if _, err := tx.ExecContext(ctx, `INSERT INTO contact_identity_history (id, contact_id, key_id, ids, at)
				SELECT ?, ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM contacts WHERE id = ?)`,
				c.id, c.contactID, c.keyID, c.ids, micros(c.at), c.contactID); err != nil {
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
	return db.write(ctx, func(ctx context.Context, tx *writeTx) error {
		touched := map[string]bool{}
		for _, n := range notices {
			res, err := tx.ExecContext(ctx, `INSERT INTO channel_notices (id, channel_id, field, kind, severity, summary, at)
				SELECT ?, ?, ?, ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM channels WHERE id = ?) ON CONFLICT (id) DO NOTHING`,
				n.ID, n.ChannelID, n.Field, n.Kind, n.Severity, n.Summary, micros(n.At), n.ChannelID)
			if err != nil {
				return fmt.Errorf("keep channel notice: %w", err)
			}
			if k, _ := res.RowsAffected(); k > 0 {
				touched[n.ChannelID] = true
			}
		}
		for ch := range touched {
			if _, err := tx.ExecContext(ctx, `DELETE FROM channel_notices WHERE channel_id = ? AND id NOT IN
				(SELECT id FROM channel_notices WHERE channel_id = ? ORDER BY at DESC, id DESC LIMIT ?)`, ch, ch, switchboard.MaxChannelNotices); err != nil {
				return fmt.Errorf("trim channel notices: %w", err)
			}
		}
		return nil
	})
}

// ChannelNotices implements [switchboard.SurfaceStore].
func (db *DB) ChannelNotices(ctx context.Context, channelID string, limit int) ([]*switchboard.ChannelNotice, error) {
	limit = min(max(limit, 1), switchboard.MaxChannelNotices)
	rows, err := db.rdb.QueryContext(ctx, `SELECT id, channel_id, field, kind, severity, summary, at FROM channel_notices
		WHERE channel_id = ? ORDER BY at DESC, id DESC LIMIT ?`, channelID, limit)
	if err != nil {
		return nil, fmt.Errorf("list channel notices: %w", err)
	}
	defer rows.Close()
	out := []*switchboard.ChannelNotice{}
	for rows.Next() {
		var n switchboard.ChannelNotice
		var at sql.NullInt64
		if err := rows.Scan(&n.ID, &n.ChannelID, &n.Field, &n.Kind, &n.Severity, &n.Summary, &at); err != nil {
			return nil, fmt.Errorf("list channel notices: %w", err)
		}
		n.At = fromMicros(at)
		out = append(out, &n)
	}
	return out, rows.Err()
}

// AddSignals implements [switchboard.SurfaceStore].
func (db *DB) AddSignals(ctx context.Context, signals []switchboard.SignalFor) (int, error) {
	type filed struct {
		id, convID, keyID, field string
		raw                      []byte
		at                       time.Time
	}
	var todo []filed
	for _, s := range signals {
		ctID, _, err := db.contactBy(ctx, db.rdb, s.ChannelID, s.WaID, s.UserID)
		if err != nil {
			return 0, fmt.Errorf("find contact: %w", err)
		}
		if ctID == "" {
			continue
		}
		var convID, keyID string
		err = db.rdb.QueryRowContext(ctx, `SELECT id, key_id FROM conversations WHERE contact_id = ?
			ORDER BY status <> 'resolved' DESC, updated_at DESC, id DESC LIMIT 1`, ctID).Scan(&convID, &keyID)
		if errors.Is(err, sql.ErrNoRows) {
			continue
		} else if err != nil {
			return 0, fmt.Errorf("find conversation: %w", err)
		}
		id := switchboard.NewID()
		raw, err := db.codec.Seal(ctx, keyID, "conversation_signals", "raw", id, s.Raw)
		if err != nil {
			return 0, err
		}
		todo = append(todo, filed{id, convID, keyID, s.Field, raw, db.orNow(s.At)})
	}
	if len(todo) == 0 {
		return 0, nil
	}
	n := 0
	err := db.write(ctx, func(ctx context.Context, tx *writeTx) error {
		n = 0
		for _, f := range todo {
			res, err := tx.ExecContext(ctx, `INSERT INTO conversation_signals (id, conversation_id, field, key_id, raw, at)
				SELECT ?, ?, ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM conversations WHERE id = ?)`,
				f.id, f.convID, f.field, f.keyID, f.raw, micros(f.at), f.convID)
			if err != nil {
				return fmt.Errorf("file signal: %w", err)
			}
			k, _ := res.RowsAffected()
			n += int(k)
			if _, err := tx.ExecContext(ctx, `DELETE FROM conversation_signals WHERE conversation_id = ? AND id NOT IN
				(SELECT id FROM conversation_signals WHERE conversation_id = ? ORDER BY at DESC, id DESC LIMIT ?)`,
				f.convID, f.convID, switchboard.MaxConversationSignals); err != nil {
				return fmt.Errorf("trim signals: %w", err)
			}
		}
		return nil
	})
	return n, err
}

// ConversationSignals implements [switchboard.SurfaceStore].
func (db *DB) ConversationSignals(ctx context.Context, conversationID string) ([]*switchboard.ConversationSignal, error) {
	rows, err := db.rdb.QueryContext(ctx, `SELECT id, field, key_id, raw, at FROM conversation_signals
		WHERE conversation_id = ? ORDER BY at, id`, conversationID)
	if err != nil {
		return nil, fmt.Errorf("list signals: %w", err)
	}
	defer rows.Close()
	out := []*switchboard.ConversationSignal{}
	for rows.Next() {
		s := &switchboard.ConversationSignal{ConversationID: conversationID}
		var keyID string
		var sealed []byte
		var at sql.NullInt64
		if err := rows.Scan(&s.ID, &s.Field, &keyID, &sealed, &at); err != nil {
			return nil, fmt.Errorf("list signals: %w", err)
		}
		raw, err := db.codec.Open(ctx, keyID, "conversation_signals", "raw", s.ID, sealed)
		if err != nil {
			return nil, err
		}
		s.Raw, s.At = raw, fromMicros(at)
		out = append(out, s)
	}
	return out, rows.Err()
}
