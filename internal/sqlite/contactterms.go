package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/switchboardhq/switchboard/internal/ingest"
	"github.com/switchboardhq/switchboard/internal/storecrypt"
	"github.com/switchboardhq/switchboard/internal/storekit"
)

// The contact search index (migration 0032): contact_terms holds (term,
// contact search_id) and nothing else; each contact keeps its own terms in
// contacts.search_terms, so replacing or deleting them needs no second
// index.

// contactTermsWhere is the condition of a conversation list whose contact
// has the search term bound to its placeholder.
const contactTermsWhere = "c.contact_id IN (SELECT ct.id FROM contact_terms t JOIN contacts ct ON ct.search_id = t.contact WHERE t.term = ?)"

// putContactTerms replaces the search terms of a contact with those of its
// name, username and phone number, giving it a search id if it has none.
func (db *DB) putContactTerms(ctx context.Context, tx *writeTx, contactID, name, username, waID string) error {
	var sid sql.NullInt64
	var old []byte
	if err := tx.QueryRowContext(ctx, `SELECT search_id, search_terms FROM contacts WHERE id = ?`, contactID).Scan(&sid, &old); err != nil {
		return fmt.Errorf("read contact terms: %w", err)
	}
	if sid.Valid {
		if err := deleteContactTerms(ctx, tx, sid.Int64, old); err != nil {
			return err
		}
	} else if err := tx.QueryRowContext(ctx, `SELECT coalesce(max(search_id), 0) + 1 FROM contacts WHERE search_id IS NOT NULL`).Scan(&sid); err != nil {
		return fmt.Errorf("allocate contact search id: %w", err)
	}
	terms := db.codec.ContactTerms(name, username, waID)
	const chunk = 250
	for rest := terms; len(rest) > 0; {
		n := min(len(rest), chunk)
		args := make([]any, 0, 2*n)
		for _, t := range rest[:n] {
			args = append(args, t, sid.Int64)
		}
		q := `INSERT OR IGNORE INTO contact_terms (term, contact) VALUES ` + strings.TrimSuffix(strings.Repeat("(?, ?), ", n), ", ")
		if _, err := tx.ExecContext(ctx, q, args...); err != nil {
			return fmt.Errorf("insert contact terms: %w", err)
		}
		rest = rest[n:]
	}
	if _, err := tx.ExecContext(ctx, `UPDATE contacts SET search_id = ?, search_terms = ? WHERE id = ?`,
		sid.Int64, storecrypt.EncodeTerms(terms), contactID); err != nil {
		return fmt.Errorf("write contact terms: %w", err)
	}
	return nil
}

// deleteContactTerms removes the entries of the contact with search id sid
// from the terms it keeps of itself.
func deleteContactTerms(ctx context.Context, tx *writeTx, sid int64, blob []byte) error {
	terms := storecrypt.DecodeTerms(blob)
	if len(terms) == 0 {
		return nil
	}
	args := make([]any, 0, len(terms)+1)
	args = append(args, sid)
	for _, t := range terms {
		args = append(args, t)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM contact_terms WHERE contact = ? AND term IN (`+placeholders(len(terms))+`)`, args...); err != nil {
		return fmt.Errorf("delete contact terms: %w", err)
	}
	return nil
}

// unindexContacts removes the search entries of the contacts whose ids
// are given, before they are deleted.
func unindexContacts(ctx context.Context, tx *writeTx, ids ...string) error {
	if len(ids) == 0 {
		return nil
	}
	rows, err := tx.QueryContext(ctx, `SELECT search_id, search_terms FROM contacts
		WHERE search_id IS NOT NULL AND id IN (`+placeholders(len(ids))+`)`, anys(ids)...)
	if err != nil {
		return fmt.Errorf("select contact terms: %w", err)
	}
	type indexed struct {
		sid   int64
		terms []byte
	}
	var found []indexed
	for rows.Next() {
		var r indexed
		if err := rows.Scan(&r.sid, &r.terms); err != nil {
			rows.Close()
			return fmt.Errorf("select contact terms: %w", err)
		}
		found = append(found, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("select contact terms: %w", err)
	}
	for _, r := range found {
		if err := deleteContactTerms(ctx, tx, r.sid, r.terms); err != nil {
			return err
		}
	}
	return nil
}

// IndexContacts implements [switchboard.SearchStore].
func (db *DB) IndexContacts(ctx context.Context, limit int) (int, error) {
	limit = storekit.ClampLimit(limit)
	n := 0
	err := db.write(ctx, func(ctx context.Context, tx *writeTx) error {
		var err error
		n, err = db.indexContacts(ctx, tx, limit)
		return err
	})
	if err != nil {
		return 0, err
	}
	return n, nil
}

// indexContacts gives search entries to up to limit contacts that have
// none (all of them after migration 0032, and after a restore), and
// reports how many it indexed.
func (db *DB) indexContacts(ctx context.Context, tx *writeTx, limit int) (int, error) {
	rows, err := tx.QueryContext(ctx, `SELECT id, key_id, name, wa_id, user_id, parent_user_id, username
		FROM contacts WHERE search_terms IS NULL LIMIT ?`, limit)
	if err != nil {
		return 0, fmt.Errorf("select unindexed contacts: %w", err)
	}
	var contacts []*ingest.Contact
	for rows.Next() {
		ct := &ingest.Contact{}
		var name []byte
		var sealed [storecrypt.NumContactIDs][]byte
		if err := rows.Scan(&ct.ID, &ct.KeyID, &name, &sealed[storecrypt.IDWaID], &sealed[storecrypt.IDUserID],
			&sealed[storecrypt.IDParentUserID], &sealed[storecrypt.IDUsername]); err != nil {
			rows.Close()
			return 0, fmt.Errorf("select unindexed contacts: %w", err)
		}
		if err := storekit.OpenContact(ctx, db.codec, &db.names, ct, name, sealed); err != nil {
			rows.Close()
			return 0, err
		}
		contacts = append(contacts, ct)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("select unindexed contacts: %w", err)
	}
	for _, ct := range contacts {
		if err := db.putContactTerms(ctx, tx, ct.ID, ct.Name, ct.Username, ct.WaID); err != nil {
			return 0, err
		}
	}
	return len(contacts), nil
}
