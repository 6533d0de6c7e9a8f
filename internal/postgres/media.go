package postgres

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/internal/storecrypt"
	"github.com/switchboardhq/switchboard/internal/storekit"
)

// queueMediaDownload queues the attachment of an inbound message for
// download, if it has a WhatsApp media id. It runs in ReceiveMessage's
// transaction.
func (db *DB) queueMediaDownload(ctx context.Context, tx *txn, channelID, keyID string, m *switchboard.Message, now time.Time) error {
	md := m.Content.Media
	if md == nil || md.WAMediaID == "" {
		return nil
	}
	waMediaID, err := db.codec.Seal(ctx, keyID, "media_downloads", "wa_media_id", m.ID, []byte(md.WAMediaID))
	if err != nil {
		return err
	}
	filename, err := db.codec.Seal(ctx, keyID, "media_downloads", "filename", m.ID, []byte(md.Filename))
	if err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `INSERT INTO media_downloads (message_id, conversation_id, channel_id, key_id, wa_media_id, mime_type, sha256,
			filename, attempts, next_attempt_at, queued_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 0, $9, $9)`,
		m.ID, m.ConversationID, channelID, keyID, waMediaID, md.MIMEType, md.SHA256, filename, now); err != nil {
		return fmt.Errorf("queue media download: %w", err)
	}
	return nil
}

// ClaimMediaDownloads leases up to n due downloads that are not leased or
// whose lease has expired, oldest first, as many as [switchboard.ClaimTake]
// lets fit in maxBytes of queue rows (the sealed media id and file name:
// the file itself is streamed to the blob store, bounded by its own limit).
func (db *DB) ClaimMediaDownloads(ctx context.Context, n int, maxBytes int64, lease time.Duration, now time.Time) ([]*switchboard.MediaDownload, error) {
	jobs := []*switchboard.MediaDownload{}
	if n <= 0 {
		return jobs, nil
	}
	now = utc(now)
	type claimed struct {
		job                 *switchboard.MediaDownload
		waMediaID, filename []byte
	}
	var cs []claimed
	err := db.withTx(ctx, func(tx *txn) error {
		ids, err := claimCandidates[string](ctx, tx, `SELECT message_id, octet_length(wa_media_id) + coalesce(octet_length(filename), 0)
			FROM media_downloads
			WHERE next_attempt_at <= $1 AND (leased_until IS NULL OR leased_until <= $1)
			ORDER BY queued_at, message_id LIMIT $2
			FOR UPDATE SKIP LOCKED`, maxBytes, now, n)
		if err != nil || len(ids) == 0 {
			cs = nil
			return err
		}
		rows, err := tx.Query(ctx, `UPDATE media_downloads SET leased_until = $2, attempts = attempts + 1
			WHERE message_id = ANY($1)
			RETURNING message_id, conversation_id, channel_id, key_id, wa_media_id, mime_type, sha256, filename, attempts, queued_at`,
			ids, now.Add(lease))
		if err != nil {
			return fmt.Errorf("claim media downloads: %w", err)
		}
		cs, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (claimed, error) {
			c := claimed{job: &switchboard.MediaDownload{}}
			j := c.job
			err := row.Scan(&j.MessageID, &j.ConversationID, &j.ChannelID, &j.KeyID, &c.waMediaID, &j.MIMEType, &j.SHA256, &c.filename,
				&j.Attempts, &j.QueuedAt)
			return c, err
		})
		if err != nil {
			return fmt.Errorf("claim media downloads: %w", err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	for _, c := range cs {
		j := c.job
		j.QueuedAt = j.QueuedAt.UTC()
		b, err := db.codec.Open(ctx, j.KeyID, "media_downloads", "wa_media_id", j.MessageID, c.waMediaID)
		if err != nil {
			return nil, err
		}
		j.WAMediaID = string(b)
		if b, err = db.codec.Open(ctx, j.KeyID, "media_downloads", "filename", j.MessageID, c.filename); err != nil {
			return nil, err
		}
		j.Filename = string(b)
		jobs = append(jobs, j)
	}
	slices.SortFunc(jobs, func(a, b *switchboard.MediaDownload) int {
		if c := a.QueuedAt.Compare(b.QueuedAt); c != 0 {
			return c
		}
		return cmp.Compare(a.MessageID, b.MessageID)
	})
	return jobs, nil
}

// CreateMedia records a stored file. KeyID defaults to the conversation's
// (the contact's) data key; the file name is sealed under it.
func (db *DB) CreateMedia(ctx context.Context, f *switchboard.MediaFile) error {
	// f is filled in (ID, KeyID, CreatedAt) only when the insert commits.
	n := *f
	err := db.withTx(ctx, func(tx *txn) error {
		return db.insertMedia(ctx, tx, &n)
	})
	if err != nil {
		return err
	}
	*f = n
	return nil
}

func (db *DB) insertMedia(ctx context.Context, tx *txn, f *switchboard.MediaFile) error {
	if f.ID == "" {
		f.ID = switchboard.NewID()
	}
	if f.CreatedAt.IsZero() {
		f.CreatedAt = db.now()
	}
	f.CreatedAt = utc(f.CreatedAt)
	var keyID string
	err := tx.QueryRow(ctx, `SELECT key_id FROM conversations WHERE id = $1`, f.ConversationID).Scan(&keyID)
	if errors.Is(err, pgx.ErrNoRows) {
		return switchboard.NotFound("Conversation")
	} else if err != nil {
		return fmt.Errorf("get conversation: %w", err)
	}
	if f.KeyID == "" {
		f.KeyID = keyID
	}
	filename, err := db.codec.Seal(ctx, f.KeyID, "media", "filename", f.ID, []byte(f.Filename))
	if err != nil {
		return err
	}
	var messageID any
	if f.MessageID != "" {
		messageID = f.MessageID
	}
	_, err = tx.Exec(ctx, `INSERT INTO media (id, conversation_id, message_id, key_id, mime_type, filename, size, sha256, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
		f.ID, f.ConversationID, messageID, f.KeyID, f.MIMEType, filename, f.Size, f.SHA256, f.CreatedAt)
	switch code, constraint := pgError(err); {
	case code == uniqueViolation:
		return switchboard.Errorf(switchboard.EConflict, "Media already exists.")
	case code == foreignKeyViolation && constraint == "media_message_id_fkey":
		return switchboard.NotFound("Message")
	case code == foreignKeyViolation:
		return switchboard.NotFound("Data key")
	case err != nil:
		return fmt.Errorf("insert media: %w", err)
	}
	return nil
}

// Media returns a stored file's metadata.
func (db *DB) Media(ctx context.Context, id string) (*switchboard.MediaFile, error) {
	f, err := db.scanMedia(ctx, db.pool.QueryRow(ctx, `SELECT `+mediaColumns+` FROM media WHERE id = $1`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, switchboard.NotFound("Media")
	} else if err != nil {
		return nil, fmt.Errorf("get media: %w", err)
	}
	return f, nil
}

const mediaColumns = `id, conversation_id, message_id, key_id, mime_type, filename, size, sha256, created_at`

// scanMedia reads a row of mediaColumns and opens the filename.
func (db *DB) scanMedia(ctx context.Context, row pgx.Row) (*switchboard.MediaFile, error) {
	var f switchboard.MediaFile
	var messageID *string
	var filename []byte
	if err := row.Scan(&f.ID, &f.ConversationID, &messageID, &f.KeyID, &f.MIMEType, &filename, &f.Size, &f.SHA256, &f.CreatedAt); err != nil {
		return nil, err
	}
	if messageID != nil {
		f.MessageID = *messageID
	}
	f.CreatedAt = f.CreatedAt.UTC()
	b, err := db.codec.Open(ctx, f.KeyID, "media", "filename", f.ID, filename)
	if err != nil {
		return nil, err
	}
	f.Filename = string(b)
	return &f, nil
}

// updateMediaContent rewrites the Content.Media of a locked message with
// fn and reseals the content.
func (db *DB) updateMediaContent(ctx context.Context, tx *txn, messageID string, fn func(m *switchboard.Media)) error {
	var keyID string
	var sealed []byte
	err := tx.QueryRow(ctx, `SELECT key_id, content FROM messages WHERE id = $1 FOR UPDATE`, messageID).Scan(&keyID, &sealed)
	if errors.Is(err, pgx.ErrNoRows) {
		return switchboard.NotFound("Message")
	} else if err != nil {
		return fmt.Errorf("lock message: %w", err)
	}
	b, err := db.codec.Open(ctx, keyID, "messages", "content", messageID, sealed)
	if err != nil {
		return err
	}
	content, err := storecrypt.DecodeContent(b)
	if err != nil {
		return err
	}
	if content.Media == nil {
		content.Media = &switchboard.Media{}
	}
	fn(content.Media)
	if b, err = storecrypt.EncodeContent(content); err != nil {
		return err
	}
	if sealed, err = db.codec.Seal(ctx, keyID, "messages", "content", messageID, b); err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `UPDATE messages SET content = $2, updated_at = $3 WHERE id = $1`, messageID, sealed, db.now()); err != nil {
		return fmt.Errorf("update message content: %w", err)
	}
	return nil
}

// CompleteMediaDownload records a downloaded file, points the message's
// Content.Media at it (state MediaReady) and drops the queue entry, in one
// transaction.
func (db *DB) CompleteMediaDownload(ctx context.Context, f *switchboard.MediaFile) (*switchboard.StatusResult, error) {
	if f == nil || f.MessageID == "" {
		return nil, switchboard.Errorf(switchboard.EInvalid, "A downloaded file needs its message.")
	}
	var r *switchboard.StatusResult
	err := db.withTx(ctx, func(tx *txn) error {
		if f.ConversationID == "" {
			err := tx.QueryRow(ctx, `SELECT conversation_id FROM messages WHERE id = $1`, f.MessageID).Scan(&f.ConversationID)
			if errors.Is(err, pgx.ErrNoRows) {
				return switchboard.NotFound("Message")
			} else if err != nil {
				return fmt.Errorf("get message: %w", err)
			}
		}
		err := db.updateMediaContent(ctx, tx, f.MessageID, func(m *switchboard.Media) {
			m.ID, m.Size, m.State = f.ID, f.Size, switchboard.MediaReady
			if m.SHA256 == "" {
				m.SHA256 = f.SHA256
			}
			if m.MIMEType == "" {
				m.MIMEType = f.MIMEType
			}
		})
		if err != nil {
			return err
		}
		if err := db.insertMedia(ctx, tx, f); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM media_downloads WHERE message_id = $1`, f.MessageID); err != nil {
			return fmt.Errorf("delete media download: %w", err)
		}
		if err := db.insertEvents(ctx, tx, storekit.StatusEvents(f.MessageID, true, db.now())); err != nil {
			return err
		}
		r, err = db.statusResult(ctx, tx, f.MessageID, true)
		return err
	})
	if err != nil {
		return nil, err
	}
	return r, nil
}

// FailMediaDownload reschedules a failed download at next, or, when final,
// gives up: the message's Content.Media.State becomes state and the queue
// entry is dropped.
func (db *DB) FailMediaDownload(ctx context.Context, messageID string, attempts int, next time.Time, final bool, state switchboard.MediaState) (*switchboard.StatusResult, error) {
	var r *switchboard.StatusResult
	err := db.withTx(ctx, func(tx *txn) error {
		if !final {
			tag, err := tx.Exec(ctx, `UPDATE media_downloads SET attempts = $2, next_attempt_at = $3, leased_until = NULL WHERE message_id = $1`,
				messageID, attempts, utc(next))
			if err != nil {
				return fmt.Errorf("reschedule media download: %w", err)
			} else if tag.RowsAffected() == 0 {
				return switchboard.NotFound("Media download")
			}
			r, err = db.statusResult(ctx, tx, messageID, false)
			return err
		}
		if state == "" {
			state = switchboard.MediaFailed
		}
		if err := db.updateMediaContent(ctx, tx, messageID, func(m *switchboard.Media) { m.State = state }); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM media_downloads WHERE message_id = $1`, messageID); err != nil {
			return fmt.Errorf("delete media download: %w", err)
		}
		if err := db.insertEvents(ctx, tx, storekit.StatusEvents(messageID, true, db.now())); err != nil {
			return err
		}
		var err error
		r, err = db.statusResult(ctx, tx, messageID, true)
		return err
	})
	if err != nil {
		return nil, err
	}
	return r, nil
}

// IdempotentMessage returns the message userID created with key, or
// ENotFound.
func (db *DB) IdempotentMessage(ctx context.Context, userID, key string) (*switchboard.Message, error) {
	var id string
	err := db.pool.QueryRow(ctx, `SELECT message_id FROM idempotency_keys WHERE user_id = $1 AND key = $2`, userID, key).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, switchboard.NotFound("Message")
	} else if err != nil {
		return nil, fmt.Errorf("get idempotency key: %w", err)
	}
	m, err := db.loadMessage(ctx, db.pool, id)
	if err != nil {
		return nil, err
	}
	m.IdempotencyKey = key
	return m, nil
}
