package postgres

import (
	"context"
	"fmt"

	"github.com/switchboardhq/switchboard/internal/ingest"
	"github.com/switchboardhq/switchboard/internal/storecrypt"
	"github.com/switchboardhq/switchboard/internal/storekit"
)

// The contact search index (migration 0032): contact_terms holds (term,
// contact search_id) and nothing else; each contact keeps its own terms in
// contacts.search_terms, so replacing or deleting them needs no second
// index.

// contactTermsWhere is the condition of a conversation list whose contact
// has every term in termsArg (a bound []int64 of n distinct terms).
func contactTermsWhere(termsArg, nArg string) string {
	return `c.contact_id IN (SELECT ct.id FROM contacts ct WHERE ct.search_id IN (SELECT t.contact FROM contact_terms t
		WHERE t.term = ANY(` + termsArg + `) GROUP BY t.contact HAVING count(*) = ` + nArg + `))`
}

// replaceTerms replaces the search terms of a contact with terms, giving
// it a search id if it has none.
func replaceTerms(ctx context.Context, tx *txn, contactID string, terms []int64) error {
	var sid int64
	var old []byte
	if err := tx.QueryRow(ctx, `UPDATE contacts SET search_id = coalesce(search_id, nextval('contact_search_ids'))
		WHERE id = $1 RETURNING search_id, search_terms`, contactID).Scan(&sid, &old); err != nil {
		return fmt.Errorf("read contact terms: %w", err)
	}
	if olds := storecrypt.DecodeTerms(old); len(olds) > 0 {
		if _, err := tx.Exec(ctx, `DELETE FROM contact_terms WHERE contact = $1 AND term = ANY($2)`, sid, olds); err != nil {
			return fmt.Errorf("delete contact terms: %w", err)
		}
	}
	if len(terms) > 0 {
		if _, err := tx.Exec(ctx, `INSERT INTO contact_terms (term, contact) SELECT t, $2 FROM unnest($1::bigint[]) AS t
			ON CONFLICT DO NOTHING`, terms, sid); err != nil {
			return fmt.Errorf("insert contact terms: %w", err)
		}
	}
	if _, err := tx.Exec(ctx, `UPDATE contacts SET search_terms = $2 WHERE id = $1`, contactID, storecrypt.EncodeTerms(terms)); err != nil {
		return fmt.Errorf("write contact terms: %w", err)
	}
	return nil
}

// unindexContacts removes the search entries of the contacts whose ids
// are given, before they are deleted.
func unindexContacts(ctx context.Context, tx *txn, ids []string) error {
	if len(ids) == 0 {
		return nil
	}
	rows, err := tx.Query(ctx, `SELECT search_id, search_terms FROM contacts WHERE id = ANY($1) AND search_id IS NOT NULL`, ids)
	if err != nil {
		return fmt.Errorf("select contact terms: %w", err)
	}
	var sids []int64
	var terms []int64
	for rows.Next() {
		var sid int64
		var blob []byte
		if err := rows.Scan(&sid, &blob); err != nil {
			rows.Close()
			return fmt.Errorf("select contact terms: %w", err)
		}
		for _, t := range storecrypt.DecodeTerms(blob) {
			sids, terms = append(sids, sid), append(terms, t)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("select contact terms: %w", err)
	}
	if len(terms) == 0 {
		return nil
	}
	if _, err := tx.Exec(ctx, `DELETE FROM contact_terms t USING unnest($1::bigint[], $2::bigint[]) u(contact, term)
		WHERE t.term = u.term AND t.contact = u.contact`, sids, terms); err != nil {
		return fmt.Errorf("delete contact terms: %w", err)
	}
	return nil
}

// IndexContacts implements [switchboard.SearchStore].
func (db *DB) IndexContacts(ctx context.Context, limit int) (int, error) {
	limit = storekit.ClampLimit(limit)
	n := 0
	err := db.withTx(ctx, func(tx *txn) error {
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
// none (all of them after migration 0032, and after a restore), locking
// them with SKIP LOCKED, and reports how many it indexed.
func (db *DB) indexContacts(ctx context.Context, tx *txn, limit int) (int, error) {
	rows, err := tx.Query(ctx, `SELECT id, key_id, name, wa_id, user_id, parent_user_id, username
		FROM contacts WHERE search_terms IS NULL LIMIT $1 FOR UPDATE SKIP LOCKED`, limit)
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
		if err := replaceTerms(ctx, tx, ct.ID, db.codec.ContactTerms(ct.Name, ct.Username, ct.WaID)); err != nil {
			return 0, err
		}
	}
	return len(contacts), nil
}
