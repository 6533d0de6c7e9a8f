package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/internal/storecrypt"
	"github.com/switchboardhq/switchboard/internal/storekit"
)

const mediaColumns = `id, conversation_id, message_id, key_id, mime_type, filename, size, sha256, created_at`

// CreateMedia records a stored file. KeyID defaults to the conversation's
// data key; the filename is sealed under it.
func (db *DB) CreateMedia(ctx context.Context, f *switchboard.MediaFile) error {
	return db.write(ctx, func(ctx context.Context, tx *writeTx) error {
		n := *f
		if err := db.insertMedia(ctx, tx, &n); err != nil {
			return err
		}
		*f = n
		return nil
	})
}

func (db *DB) insertMedia(ctx context.Context, tx *writeTx, f *switchboard.MediaFile) error {
	var convKey string
	err := tx.QueryRowContext(ctx, `SELECT key_id FROM conversations WHERE id = ?`, f.ConversationID).Scan(&convKey)
	if errors.Is(err, sql.ErrNoRows) {
		return switchboard.NotFound("Conversation")
	} else if err != nil {
		return fmt.Errorf("get conversation: %w", err)
	}
	if f.ID == "" {
		f.ID = switchboard.NewID()
	}
	if f.KeyID == "" {
		f.KeyID = convKey
	}
	f.CreatedAt = db.orNow(f.CreatedAt)
	var filename []byte
	if f.Filename != "" {
		if filename, err = db.codec.Seal(ctx, f.KeyID, "media", "filename", f.ID, []byte(f.Filename)); err != nil {
			return err
		}
	}
	var messageID any
	if f.MessageID != "" {
		messageID = f.MessageID
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO media (id, conversation_id, message_id, key_id, mime_type, filename, size, sha256, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, f.ID, f.ConversationID, messageID, f.KeyID, f.MIMEType, filename, f.Size, f.SHA256,
		micros(f.CreatedAt))
	if isUnique(err) {
		return switchboard.Errorf(switchboard.EConflict, "Media already exists.")
	} else if err != nil {
		return fmt.Errorf("insert media: %w", err)
	}
	return nil
}

// Media returns a stored file's metadata.
func (db *DB) Media(ctx context.Context, id string) (*switchboard.MediaFile, error) {
	f, err := db.scanMedia(ctx, db.rdb.QueryRowContext(ctx, `SELECT `+mediaColumns+` FROM media WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, switchboard.NotFound("Media")
	} else if err != nil {
		return nil, fmt.Errorf("get media: %w", err)
	}
	return f, nil
}

// scanMedia reads a row of mediaColumns and opens the filename.
func (db *DB) scanMedia(ctx context.Context, row interface{ Scan(...any) error }) (*switchboard.MediaFile, error) {
	var f switchboard.MediaFile
	var messageID sql.NullString
	var filename []byte
	var created sql.NullInt64
	if err := row.Scan(&f.ID, &f.ConversationID, &messageID, &f.KeyID, &f.MIMEType, &filename, &f.Size,
		&f.SHA256, &created); err != nil {
		return nil, err
	}
	if filename != nil {
		b, err := db.codec.Open(ctx, f.KeyID, "media", "filename", f.ID, filename)
		if err != nil {
			return nil, err
		}
		f.Filename = string(b)
	}
	f.MessageID, f.CreatedAt = messageID.String, fromMicros(created)
	return &f, nil
}

// queueMediaDownload queues the attachment of an inbound message, inside
// ReceiveMessage's transaction.
func (db *DB) queueMediaDownload(ctx context.Context, tx *writeTx, channelID, keyID string, m *switchboard.Message, now time.Time) error {
	md := m.Content.Media
	waMediaID, err := db.codec.Seal(ctx, keyID, "media_downloads", "wa_media_id", m.ID, []byte(md.WAMediaID))
	if err != nil {
		return err
	}
	var filename []byte
	if md.Filename != "" {
		if filename, err = db.codec.Seal(ctx, keyID, "media_downloads", "filename", m.ID, []byte(md.Filename)); err != nil {
			return err
		}
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO media_downloads (message_id, conversation_id, channel_id, key_id, wa_media_id,
		mime_type, sha256, filename, attempts, next_attempt_at, queued_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?)`,
		m.ID, m.ConversationID, channelID, keyID, waMediaID, md.MIMEType, md.SHA256, filename, micros(now), micros(now)); err != nil {
		return fmt.Errorf("queue media download: %w", err)
	}
	return nil
}

// ClaimMediaDownloads leases up to n due downloads that are not leased (or
// whose lease has expired), oldest first, as many as [switchboard.ClaimTake]
// lets fit in maxBytes of queue rows (the sealed media id and file name:
// the file itself is streamed to the blob store, bounded by its own limit).
func (db *DB) ClaimMediaDownloads(ctx context.Context, n int, maxBytes int64, lease time.Duration, now time.Time) ([]*switchboard.MediaDownload, error) {
	out := []*switchboard.MediaDownload{}
	if n <= 0 {
		return out, nil
	}
	type claimed struct {
		d                   switchboard.MediaDownload
		waMediaID, filename []byte
	}
	var rows []claimed
	err := db.write(ctx, func(ctx context.Context, tx *writeTx) error {
		rows = rows[:0]
		k, err := claimCount(ctx, tx, `SELECT length(wa_media_id) + coalesce(length(filename), 0) FROM media_downloads
			WHERE next_attempt_at <= ?1 AND (leased_until IS NULL OR leased_until <= ?1)
			ORDER BY queued_at, message_id LIMIT ?2`, maxBytes, micros(now), n)
		if err != nil || k == 0 {
			return err
		}
		r, err := tx.QueryContext(ctx, `UPDATE media_downloads SET leased_until = ?1, attempts = attempts + 1
			WHERE message_id IN (SELECT message_id FROM media_downloads
				WHERE next_attempt_at <= ?2 AND (leased_until IS NULL OR leased_until <= ?2)
				ORDER BY queued_at, message_id LIMIT ?3)
			RETURNING message_id, conversation_id, channel_id, key_id, wa_media_id, mime_type, sha256, filename, attempts, queued_at`,
			micros(now.Add(lease)), micros(now), k)
		if err != nil {
			return fmt.Errorf("claim media downloads: %w", err)
		}
		defer r.Close()
		for r.Next() {
			var c claimed
			var queued sql.NullInt64
			if err := r.Scan(&c.d.MessageID, &c.d.ConversationID, &c.d.ChannelID, &c.d.KeyID, &c.waMediaID, &c.d.MIMEType,
				&c.d.SHA256, &c.filename, &c.d.Attempts, &queued); err != nil {
				return fmt.Errorf("claim media downloads: %w", err)
			}
			c.d.QueuedAt = fromMicros(queued)
			rows = append(rows, c)
		}
		return r.Err()
	})
	if err != nil {
		return nil, err
	}
	for _, c := range rows {
		d := c.d
		b, err := db.codec.Open(ctx, d.KeyID, "media_downloads", "wa_media_id", d.MessageID, c.waMediaID)
		if err != nil {
			return nil, err
		}
		d.WAMediaID = string(b)
		if c.filename != nil {
			b, err := db.codec.Open(ctx, d.KeyID, "media_downloads", "filename", d.MessageID, c.filename)
			if err != nil {
				return nil, err
			}
			d.Filename = string(b)
		}
		out = append(out, &d)
	}
	// RETURNING does not keep the subquery's order.
	slices.SortFunc(out, func(a, b *switchboard.MediaDownload) int {
		if c := a.QueuedAt.Compare(b.QueuedAt); c != 0 {
			return c
		}
		return strings.Compare(a.MessageID, b.MessageID)
	})
	return out, nil
}

// updateMedia rewrites the sealed content of a message after changing its
// Media with fn.
func (db *DB) updateMedia(ctx context.Context, tx *writeTx, messageID string, fn func(md *switchboard.Media)) error {
	m, err := db.message(ctx, tx, messageID)
	if err != nil {
		return err
	}
	var keyID string
	if err := tx.QueryRowContext(ctx, `SELECT key_id FROM messages WHERE id = ?`, messageID).Scan(&keyID); err != nil {
		return fmt.Errorf("get message key: %w", err)
	}
	if m.Content.Media == nil {
		m.Content.Media = &switchboard.Media{}
	}
	fn(m.Content.Media)
	b, err := storecrypt.EncodeContent(m.Content)
	if err != nil {
		return err
	}
	content, err := db.codec.Seal(ctx, keyID, "messages", "content", m.ID, b)
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE messages SET content = ?, updated_at = ? WHERE id = ?`, content, micros(db.now()), m.ID); err != nil {
		return fmt.Errorf("update message media: %w", err)
	}
	return nil
}

// CompleteMediaDownload records the downloaded file, points the message's
// Media at it and drops the queue entry.
func (db *DB) CompleteMediaDownload(ctx context.Context, f *switchboard.MediaFile) (*switchboard.StatusResult, error) {
	if f == nil || f.MessageID == "" {
		return nil, switchboard.Errorf(switchboard.EInvalid, "A downloaded file needs its message.")
	}
	err := db.write(ctx, func(ctx context.Context, tx *writeTx) error {
		n := *f
		if n.ConversationID == "" {
			if err := tx.QueryRowContext(ctx, `SELECT conversation_id FROM messages WHERE id = ?`, n.MessageID).Scan(&n.ConversationID); errors.Is(err, sql.ErrNoRows) {
				return switchboard.NotFound("Message")
			} else if err != nil {
				return fmt.Errorf("get message: %w", err)
			}
		}
		if err := db.insertMedia(ctx, tx, &n); err != nil {
			return err
		}
		if err := db.updateMedia(ctx, tx, n.MessageID, func(md *switchboard.Media) {
			md.ID, md.Size, md.State = n.ID, n.Size, switchboard.MediaReady
			if md.SHA256 == "" {
				md.SHA256 = n.SHA256
			}
			if md.MIMEType == "" {
				md.MIMEType = n.MIMEType
			}
		}); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM media_downloads WHERE message_id = ?`, n.MessageID); err != nil {
			return fmt.Errorf("delete media download: %w", err)
		}
		*f = n
		return db.insertEvents(ctx, tx, storekit.StatusEvents(n.MessageID, true, db.now()))
	})
	if err != nil {
		return nil, err
	}
	return db.statusResult(ctx, f.MessageID, true)
}

// FailMediaDownload reschedules a download, or gives up and records state
// (MediaFailed or MediaExpired) in the message's Media.
func (db *DB) FailMediaDownload(ctx context.Context, messageID string, attempts int, next time.Time, final bool, state switchboard.MediaState) (*switchboard.StatusResult, error) {
	if final && state == "" {
		state = switchboard.MediaFailed
	}
	err := db.write(ctx, func(ctx context.Context, tx *writeTx) error {
		if !final {
			res, err := tx.ExecContext(ctx, `UPDATE media_downloads SET attempts = ?, next_attempt_at = ?, leased_until = NULL
				WHERE message_id = ?`, attempts, micros(next), messageID)
			if err != nil {
				return fmt.Errorf("reschedule media download: %w", err)
			}
			if n, _ := res.RowsAffected(); n == 0 {
				return switchboard.NotFound("Media download")
			}
			return nil
		}
		if err := db.updateMedia(ctx, tx, messageID, func(md *switchboard.Media) { md.State = state }); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM media_downloads WHERE message_id = ?`, messageID); err != nil {
			return fmt.Errorf("delete media download: %w", err)
		}
		return db.insertEvents(ctx, tx, storekit.StatusEvents(messageID, true, db.now()))
	})
	if err != nil {
		return nil, err
	}
	return db.statusResult(ctx, messageID, final)
}

// IdempotentMessage returns the message that userID created with key.
func (db *DB) IdempotentMessage(ctx context.Context, userID, key string) (*switchboard.Message, error) {
	if key == "" {
		return nil, switchboard.NotFound("Message")
	}
	var id string
	err := db.rdb.QueryRowContext(ctx, `SELECT message_id FROM idempotency_keys WHERE user_id = ? AND key = ?`, userID, key).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, switchboard.NotFound("Message")
	} else if err != nil {
		return nil, fmt.Errorf("get idempotent message: %w", err)
	}
	m, err := db.message(ctx, db.rdb, id)
	if err != nil {
		return nil, err
	}
	m.IdempotencyKey = key
	return m, nil
}
