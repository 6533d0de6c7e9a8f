package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/internal/storecrypt"
)

var (
	_ switchboard.PrivacyStore = (*DB)(nil)
	_ switchboard.KeyStore     = (*DB)(nil)
)

// contactConversations selects the ids of one contact's conversations.
const contactConversations = `SELECT id FROM conversations WHERE contact_id = $1`

// EraseContact implements [switchboard.PrivacyStore] in one transaction.
// The contact's row is locked first, so a message arriving at the same
// moment either commits before (and is erased) or waits and then finds no
// contact.
func (db *DB) EraseContact(ctx context.Context, e switchboard.Erasure) (*switchboard.ErasedContact, error) {
	res := &switchboard.ErasedContact{ContactID: e.ContactID}
	err := db.withTx(ctx, func(tx *txn) error {
		err := tx.QueryRow(ctx, `SELECT key_id FROM contacts WHERE id = $1 FOR UPDATE`, e.ContactID).Scan(&res.KeyID)
		if errors.Is(err, pgx.ErrNoRows) {
			return switchboard.NotFound("Contact")
		} else if err != nil {
			return err
		}
		rows, err := tx.Query(ctx, `SELECT id FROM media WHERE conversation_id IN (`+contactConversations+`)`, e.ContactID)
		if err != nil {
			return err
		}
		res.MediaIDs, err = pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			return err
		}
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM messages WHERE conversation_id IN (`+contactConversations+`)`,
			e.ContactID).Scan(&res.Messages); err != nil {
			return err
		}
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM conversations WHERE contact_id = $1`,
			e.ContactID).Scan(&res.Conversations); err != nil {
			return err
		}
		// The search indexes have no foreign key (one compact index each);
		// the rows name their own terms.
		if err := unindexContacts(ctx, tx, []string{e.ContactID}); err != nil {
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
			`DELETE FROM conversations WHERE contact_id = $1`,
			`DELETE FROM contacts WHERE id = $1`,
		} {
			if _, err := tx.Exec(ctx, q, e.ContactID); err != nil {
				return fmt.Errorf("%s: %w", q, err)
			}
		}
		if _, err := tx.Exec(ctx, `UPDATE data_keys SET wrapped = NULL, destroyed_at = $1 WHERE id = $2`,
			utc(e.ErasedAt), res.KeyID); err != nil {
			return fmt.Errorf("destroy data key: %w", err)
		}
		if err := recordErasure(ctx, tx, e); err != nil {
			return err
		}
		switchboard.AddAuditDetail(ctx, res.AuditDetail())
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("erase contact: %w", err)
	}
	db.keys.Forget(res.KeyID)
	db.names.Forget(e.ContactID)
	// The destroyed key's old row version is a dead tuple until VACUUM
	// prunes it; do that now for the small key table (best effort: it
	// cannot run inside a transaction, and autovacuum would do it later).
	// Pruning frees the space without overwriting it, and the WAL keeps
	// the old row until its segments are recycled: docs/security.md
	// describes this residue.
	_, _ = db.pool.Exec(context.WithoutCancel(ctx), `VACUUM data_keys`)
	return res, nil
}

func recordErasure(ctx context.Context, q querier, e switchboard.Erasure) error {
	if _, err := q.Exec(ctx, `INSERT INTO erasures (contact_id, erased_at, actor_id) VALUES ($1, $2, $3)
		ON CONFLICT (contact_id) DO NOTHING`, e.ContactID, utc(e.ErasedAt), e.ActorID); err != nil {
		return fmt.Errorf("record erasure: %w", err)
	}
	return nil
}

// RecordErasure implements [switchboard.PrivacyStore].
func (db *DB) RecordErasure(ctx context.Context, e switchboard.Erasure) error {
	return recordErasure(ctx, db.pool, e)
}

// Erasures implements [switchboard.PrivacyStore].
func (db *DB) Erasures(ctx context.Context) ([]switchboard.Erasure, error) {
	rows, err := db.pool.Query(ctx, `SELECT contact_id, erased_at, actor_id FROM erasures ORDER BY erased_at, contact_id`)
	if err != nil {
		return nil, fmt.Errorf("erasures: %w", err)
	}
	out := []switchboard.Erasure{}
	for rows.Next() {
		var e switchboard.Erasure
		if err := rows.Scan(&e.ContactID, &e.ErasedAt, &e.ActorID); err != nil {
			rows.Close()
			return nil, fmt.Errorf("erasures: %w", err)
		}
		e.ErasedAt = e.ErasedAt.UTC()
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("erasures: %w", err)
	}
	return out, nil
}

// RewrapDataKeys implements [switchboard.KeyStore]: one short transaction
// per batch, rows locked with SKIP LOCKED so it never waits on the server.
func (db *DB) RewrapDataKeys(ctx context.Context, to string, limit int, rewrap switchboard.RewrapFunc) (int, error) {
	n := 0
	err := db.withTx(ctx, func(tx *txn) error {
		n = 0
		rows, err := tx.Query(ctx, `SELECT id, master_key_id, wrapped FROM data_keys
			WHERE destroyed_at IS NULL AND wrapped IS NOT NULL AND master_key_id <> $1
			ORDER BY id LIMIT $2 FOR UPDATE SKIP LOCKED`, to, limit)
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
		if err := rows.Err(); err != nil {
			return err
		}
		for _, k := range keys {
			w, err := rewrap(k.id, k.master, k.wrapped)
			if err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, `UPDATE data_keys SET master_key_id = $1, wrapped = $2 WHERE id = $3`, to, w, k.id); err != nil {
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
	err := db.withTx(ctx, func(tx *txn) error {
		var w []byte
		var master string
		if err := tx.QueryRow(ctx, `SELECT value, master_key_id FROM settings WHERE name = 'blind_index_key' FOR UPDATE`).Scan(&w, &master); err != nil {
			return err
		}
		if master == to {
			return nil
		}
		w, err := rewrap(storecrypt.BlindIndexWrapID, master, w)
		if err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `UPDATE settings SET value = $1, master_key_id = $2 WHERE name = 'blind_index_key'`, w, to)
		return err
	})
	if err != nil {
		return fmt.Errorf("rewrap blind index key: %w", err)
	}
	return nil
}

// WrappedKeys implements [switchboard.KeyStore].
func (db *DB) WrappedKeys(ctx context.Context, fn func(id, masterKeyID string, wrapped []byte) error) error {
	rows, err := db.pool.Query(ctx, `SELECT id, master_key_id, wrapped FROM data_keys WHERE destroyed_at IS NULL AND wrapped IS NOT NULL ORDER BY id`)
	if err != nil {
		return fmt.Errorf("wrapped keys: %w", err)
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
			return fmt.Errorf("wrapped keys: %w", err)
		}
		keys = append(keys, k)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("wrapped keys: %w", err)
	}
	for _, k := range keys {
		if err := fn(k.id, k.master, k.wrapped); err != nil {
			return err
		}
	}
	var w []byte
	var master string
	if err := db.pool.QueryRow(ctx, `SELECT value, master_key_id FROM settings WHERE name = 'blind_index_key'`).Scan(&w, &master); err != nil {
		return fmt.Errorf("wrapped keys: blind index: %w", err)
	}
	return fn(storecrypt.BlindIndexWrapID, master, w)
}
