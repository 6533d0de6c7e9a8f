package sqlite

import (
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/internal/storecrypt"
)

var (
	_ switchboard.PrivacyStore = (*DB)(nil)
	_ switchboard.KeyStore     = (*DB)(nil)
)

// contactConversations selects the ids of one contact's conversations.
const contactConversations = `SELECT id FROM conversations WHERE contact_id = ?`

// EraseContact implements [switchboard.PrivacyStore] in one write job.
func (db *DB) EraseContact(ctx context.Context, e switchboard.Erasure) (*switchboard.ErasedContact, error) {
	res := &switchboard.ErasedContact{ContactID: e.ContactID}
	err := db.writeUrgent(ctx, func(ctx context.Context, tx *writeTx) error {
		*res = switchboard.ErasedContact{ContactID: e.ContactID}
		err := tx.QueryRowContext(ctx, `SELECT key_id FROM contacts WHERE id = ?`, e.ContactID).Scan(&res.KeyID)
		if errors.Is(err, sql.ErrNoRows) {
			return switchboard.NotFound("Contact")
		} else if err != nil {
			return err
		}
		rows, err := tx.QueryContext(ctx, `SELECT id FROM media WHERE conversation_id IN (`+contactConversations+`)`, e.ContactID)
		if err != nil {
			return err
		}
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return err
			}
			res.MediaIDs = append(res.MediaIDs, id)
		}
		if err := rows.Close(); err != nil {
			return err
		}
		if err := rows.Err(); err != nil {
			return err
		}
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM messages WHERE conversation_id IN (`+contactConversations+`)`,
			e.ContactID).Scan(&res.Messages); err != nil {
			return err
		}
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM conversations WHERE contact_id = ?`,
			e.ContactID).Scan(&res.Conversations); err != nil {
			return err
		}
		// Children first: the foreign keys that do not cascade point from
		// media, outbox and messages to conversations, and from
		// conversations to contacts. Deleting messages cascades to
		// idempotency_keys, outbox and media_downloads; conversations to
		// assignees and reads.
		// The search indexes have no foreign key (one compact index each);
		// the rows name their own terms.
		if err := unindexContacts(ctx, tx, e.ContactID); err != nil {
			return err
		}
		if err := unindexRows(ctx, tx, false, `SELECT search_id, ts, search_terms FROM messages
			WHERE conversation_id IN (`+contactConversations+`)`, e.ContactID); err != nil {
			return err
		}
		if err := unindexRows(ctx, tx, true, `SELECT search_id, created_at, search_terms FROM thread_entries
			WHERE conversation_id IN (`+contactConversations+`)`, e.ContactID); err != nil {
			return err
		}
		for _, q := range []string{
			`DELETE FROM media WHERE conversation_id IN (` + contactConversations + `)`,
			`DELETE FROM media_downloads WHERE conversation_id IN (` + contactConversations + `)`,
			`DELETE FROM outbox WHERE conversation_id IN (` + contactConversations + `)`,
			`DELETE FROM messages WHERE conversation_id IN (` + contactConversations + `)`,
			`DELETE FROM conversations WHERE contact_id = ?`,
			`DELETE FROM contacts WHERE id = ?`,
		} {
			if _, err := tx.ExecContext(ctx, q, e.ContactID); err != nil {
				return fmt.Errorf("%s: %w", q, err)
			}
		}
		if _, err := tx.ExecContext(ctx, `UPDATE data_keys SET wrapped = NULL, destroyed_at = ? WHERE id = ?`,
			micros(utc(e.ErasedAt)), res.KeyID); err != nil {
			return fmt.Errorf("destroy data key: %w", err)
		}
		if err := recordErasure(ctx, tx, e); err != nil {
			return err
		}
		tx.finally(func(committed bool) {
			if committed {
				db.codec.Keys.Forget(res.KeyID)
				db.names.Forget(e.ContactID)
			}
		})
		switchboard.AddAuditDetail(ctx, res.AuditDetail())
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("erase contact: %w", err)
	}
	// The WAL still holds the frames written before the erasure, with the
	// wrapped data key in them: copy everything into the database file
	// (where secure_delete has zeroed it) and truncate the WAL. Readers
	// that keep old snapshots can make this incomplete; the checkpointer
	// truncates again every hour.
	cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 15*time.Second)
	defer cancel()
	_ = db.Checkpoint(cctx)
	return res, nil
}

func recordErasure(ctx context.Context, tx *writeTx, e switchboard.Erasure) error {
	if _, err := tx.ExecContext(ctx, `INSERT INTO erasures (contact_id, erased_at, actor_id) VALUES (?, ?, ?)
		ON CONFLICT (contact_id) DO NOTHING`, e.ContactID, micros(utc(e.ErasedAt)), e.ActorID); err != nil {
		return fmt.Errorf("record erasure: %w", err)
	}
	return nil
}

// RecordErasure implements [switchboard.PrivacyStore].
func (db *DB) RecordErasure(ctx context.Context, e switchboard.Erasure) error {
	return db.write(ctx, func(ctx context.Context, tx *writeTx) error { return recordErasure(ctx, tx, e) })
}

// Erasures implements [switchboard.PrivacyStore].
func (db *DB) Erasures(ctx context.Context) ([]switchboard.Erasure, error) {
	rows, err := db.rdb.QueryContext(ctx, `SELECT contact_id, erased_at, actor_id FROM erasures ORDER BY erased_at, contact_id`)
	if err != nil {
		return nil, fmt.Errorf("erasures: %w", err)
	}
	defer rows.Close()
	out := []switchboard.Erasure{}
	for rows.Next() {
		var e switchboard.Erasure
		var at sql.NullInt64
		if err := rows.Scan(&e.ContactID, &at, &e.ActorID); err != nil {
			return nil, fmt.Errorf("erasures: %w", err)
		}
		e.ErasedAt = fromMicros(at)
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("erasures: %w", err)
	}
	return out, nil
}

// RewrapDataKeys implements [switchboard.KeyStore] as one write job on the
// single writer, so the server keeps running between batches.
func (db *DB) RewrapDataKeys(ctx context.Context, to string, limit int, rewrap switchboard.RewrapFunc) (int, error) {
	n := 0
	err := db.write(ctx, func(ctx context.Context, tx *writeTx) error {
		n = 0
		rows, err := tx.QueryContext(ctx, `SELECT id, master_key_id, wrapped FROM data_keys
			WHERE destroyed_at IS NULL AND wrapped IS NOT NULL AND master_key_id <> ? ORDER BY id LIMIT ?`, to, limit)
		if err != nil {
			return err
		}
		type key struct {
			id, master string
			wrapped    []byte
		}
		var keys []key
		for rows.Next() {
			var k key
			if err := rows.Scan(&k.id, &k.master, &k.wrapped); err != nil {
				rows.Close()
				return err
			}
			keys = append(keys, k)
		}
		if err := rows.Close(); err != nil {
			return err
		}
		for _, k := range keys {
			w, err := rewrap(k.id, k.master, k.wrapped)
			if err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `UPDATE data_keys SET master_key_id = ?, wrapped = ? WHERE id = ? AND master_key_id = ?`,
				to, w, k.id, k.master); err != nil {
				return err
			}
		}
		n = len(keys)
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("rewrap data keys: %w", err)
	}
	return n, nil
}

// RewrapBlindIndexKey implements [switchboard.KeyStore].
func (db *DB) RewrapBlindIndexKey(ctx context.Context, to string, rewrap switchboard.RewrapFunc) error {
	err := db.write(ctx, func(ctx context.Context, tx *writeTx) error {
		var stored string
		if err := tx.QueryRowContext(ctx, `SELECT value FROM settings WHERE name = ?`, blindIndexSetting).Scan(&stored); err != nil {
			return err
		}
		var bv blindIndexValue
		if err := json.Unmarshal([]byte(stored), &bv); err != nil {
			return err
		}
		if bv.MasterKeyID == to {
			return nil
		}
		w, err := base64.StdEncoding.DecodeString(bv.Wrapped)
		if err != nil {
			return err
		}
		if w, err = rewrap(storecrypt.BlindIndexWrapID, bv.MasterKeyID, w); err != nil {
			return err
		}
		v, err := json.Marshal(blindIndexValue{MasterKeyID: to, Wrapped: base64.StdEncoding.EncodeToString(w)})
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE settings SET value = ? WHERE name = ?`, string(v), blindIndexSetting)
		return err
	})
	if err != nil {
		return fmt.Errorf("rewrap blind index key: %w", err)
	}
	return nil
}

// WrappedKeys implements [switchboard.KeyStore].
func (db *DB) WrappedKeys(ctx context.Context, fn func(id, masterKeyID string, wrapped []byte) error) error {
	rows, err := db.rdb.QueryContext(ctx, `SELECT id, master_key_id, wrapped FROM data_keys WHERE destroyed_at IS NULL AND wrapped IS NOT NULL ORDER BY id`)
	if err != nil {
		return fmt.Errorf("wrapped keys: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, master string
		var w []byte
		if err := rows.Scan(&id, &master, &w); err != nil {
			return fmt.Errorf("wrapped keys: %w", err)
		}
		if err := fn(id, master, w); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("wrapped keys: %w", err)
	}
	var stored string
	if err := db.rdb.QueryRowContext(ctx, `SELECT value FROM settings WHERE name = ?`, blindIndexSetting).Scan(&stored); err != nil {
		return fmt.Errorf("wrapped keys: blind index: %w", err)
	}
	bv, _ := dumpSettingFrom([]byte(stored))
	master, _ := jsonMaster(stored)
	return fn(storecrypt.BlindIndexWrapID, master, bv)
}

func jsonMaster(stored string) (string, error) {
	var bv blindIndexValue
	err := json.Unmarshal([]byte(stored), &bv)
	return bv.MasterKeyID, err
}
