package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"

	"github.com/jackc/pgx/v5"

	"github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/internal/storekit"
)

const attributeDefColumns = `id, name, type, options, created_at, updated_at`

func scanAttributeDef(row interface{ Scan(...any) error }) (*switchboard.AttributeDef, error) {
	var d switchboard.AttributeDef
	var opts string
	if err := row.Scan(&d.ID, &d.Name, &d.Type, &opts, &d.CreatedAt, &d.UpdatedAt); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(opts), &d.Options); err != nil {
		return nil, fmt.Errorf("attribute options: %w", err)
	}
	if d.Options == nil {
		d.Options = []string{}
	}
	d.CreatedAt, d.UpdatedAt = d.CreatedAt.UTC(), d.UpdatedAt.UTC()
	return &d, nil
}

// AttributeDefs lists the custom attribute definitions by name.
func (db *DB) AttributeDefs(ctx context.Context) ([]*switchboard.AttributeDef, error) {
	rows, err := db.pool.Query(ctx, `SELECT `+attributeDefColumns+` FROM contact_attribute_defs ORDER BY name_key, id`)
	if err != nil {
		return nil, fmt.Errorf("list attributes: %w", err)
	}
	defer rows.Close()
	out := []*switchboard.AttributeDef{}
	for rows.Next() {
		d, err := scanAttributeDef(rows)
		if err != nil {
			return nil, fmt.Errorf("list attributes: %w", err)
		}
		out = append(out, d)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list attributes: %w", err)
	}
	return out, nil
}

// CreateAttributeDef stores a new custom attribute definition. The table
// lock makes the count and the insert one step, so two administrators
// cannot pass the limit together.
func (db *DB) CreateAttributeDef(ctx context.Context, d *switchboard.AttributeDef) error {
	n := *d
	if err := n.PrepareNew(db.now()); err != nil {
		return err
	}
	opts, err := json.Marshal(n.Options)
	if err != nil {
		return err
	}
	err = db.withTx(ctx, func(tx *txn) error {
		if _, err := tx.Exec(ctx, `LOCK TABLE contact_attribute_defs IN SHARE ROW EXCLUSIVE MODE`); err != nil {
			return fmt.Errorf("create attribute: %w", err)
		}
		var count int
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM contact_attribute_defs`).Scan(&count); err != nil {
			return fmt.Errorf("create attribute: %w", err)
		}
		if count >= switchboard.MaxAttributeDefs {
			return switchboard.ErrAttributeTooMany
		}
		if _, err := tx.Exec(ctx, `INSERT INTO contact_attribute_defs (id, name, name_key, type, options, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7)`, n.ID, n.Name, switchboard.AttributeNameKey(n.Name), n.Type, string(opts),
			n.CreatedAt, n.UpdatedAt); err != nil {
			if code, constraint := pgError(err); code == uniqueViolation {
				if constraint == "contact_attribute_defs_pkey" {
					return switchboard.Errorf(switchboard.EConflict, "Attribute already exists.")
				}
				return switchboard.ErrAttributeDuplicate
			}
			return fmt.Errorf("create attribute: %w", err)
		}
		return nil
	})
	if err != nil {
		return err
	}
	*d = n
	return nil
}

// UpdateAttributeDef renames a definition or replaces its options.
func (db *DB) UpdateAttributeDef(ctx context.Context, d *switchboard.AttributeDef) (*switchboard.AttributeDef, error) {
	var out *switchboard.AttributeDef
	err := db.withTx(ctx, func(tx *txn) error {
		old, err := scanAttributeDef(tx.QueryRow(ctx, `SELECT `+attributeDefColumns+` FROM contact_attribute_defs WHERE id = $1 FOR UPDATE`, d.ID))
		if errors.Is(err, pgx.ErrNoRows) {
			return switchboard.NotFound("Attribute")
		} else if err != nil {
			return fmt.Errorf("update attribute: %w", err)
		}
		n, err := d.Apply(old, db.now())
		if err != nil {
			return err
		}
		opts, err := json.Marshal(n.Options)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE contact_attribute_defs SET name = $1, name_key = $2, options = $3, updated_at = $4 WHERE id = $5`,
			n.Name, switchboard.AttributeNameKey(n.Name), string(opts), n.UpdatedAt, n.ID); err != nil {
			if code, _ := pgError(err); code == uniqueViolation {
				return switchboard.ErrAttributeDuplicate
			}
			return fmt.Errorf("update attribute: %w", err)
		}
		out = n
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// DeleteAttributeDef deletes a definition and its values.
func (db *DB) DeleteAttributeDef(ctx context.Context, id string) error {
	return db.withTx(ctx, func(tx *txn) error {
		if _, err := tx.Exec(ctx, `DELETE FROM contact_attribute_values WHERE attribute_id = $1`, id); err != nil {
			return fmt.Errorf("delete attribute values: %w", err)
		}
		tag, err := tx.Exec(ctx, `DELETE FROM contact_attribute_defs WHERE id = $1`, id)
		if err != nil {
			return fmt.Errorf("delete attribute: %w", err)
		}
		if tag.RowsAffected() == 0 {
			return switchboard.NotFound("Attribute")
		}
		return nil
	})
}

// ContactAttributes returns a contact's attribute values.
func (db *DB) ContactAttributes(ctx context.Context, contactID string) ([]*switchboard.AttributeValue, error) {
	rows, err := db.pool.Query(ctx, `SELECT attribute_id, key_id, value, updated_by, updated_at
		FROM contact_attribute_values WHERE contact_id = $1 ORDER BY attribute_id`, contactID)
	if err != nil {
		return nil, fmt.Errorf("list contact attributes: %w", err)
	}
	defer rows.Close()
	type row struct {
		v     switchboard.AttributeValue
		keyID string
		body  []byte
	}
	var rs []row
	for rows.Next() {
		var r row
		if err := rows.Scan(&r.v.AttributeID, &r.keyID, &r.body, &r.v.UpdatedBy, &r.v.UpdatedAt); err != nil {
			return nil, fmt.Errorf("list contact attributes: %w", err)
		}
		rs = append(rs, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list contact attributes: %w", err)
	}
	rows.Close()
	out := make([]*switchboard.AttributeValue, 0, len(rs))
	for _, r := range rs {
		v := r.v
		if err := db.codec.OpenJSON(ctx, r.keyID, "contact_attribute_values", "value", contactID+"/"+v.AttributeID, r.body, &v.Value); err != nil {
			return nil, err
		}
		v.UpdatedAt = v.UpdatedAt.UTC()
		out = append(out, &v)
	}
	return out, nil
}

// SetContactAttributes sets or removes a contact's attribute values.
func (db *DB) SetContactAttributes(ctx context.Context, contactID string, values []switchboard.AttributeValue) error {
	now := db.now()
	return db.withTx(ctx, func(tx *txn) error {
		keyID, err := contactKey(ctx, tx, contactID)
		if err != nil {
			return err
		}
		for _, v := range values {
			var id string
			err := tx.QueryRow(ctx, `SELECT id FROM contact_attribute_defs WHERE id = $1 FOR SHARE`, v.AttributeID).Scan(&id)
			if errors.Is(err, pgx.ErrNoRows) {
				return switchboard.Errorf(switchboard.EInvalid, "Unknown attribute.")
			} else if err != nil {
				return fmt.Errorf("set contact attribute: %w", err)
			}
			if v.Value == "" {
				if _, err := tx.Exec(ctx, `DELETE FROM contact_attribute_values WHERE contact_id = $1 AND attribute_id = $2`, contactID, v.AttributeID); err != nil {
					return fmt.Errorf("delete contact attribute: %w", err)
				}
				continue
			}
			body, err := db.codec.SealJSON(ctx, keyID, "contact_attribute_values", "value", contactID+"/"+v.AttributeID, v.Value)
			if err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, `INSERT INTO contact_attribute_values (contact_id, attribute_id, key_id, value, updated_by, updated_at)
				VALUES ($1, $2, $3, $4, $5, $6)
				ON CONFLICT (contact_id, attribute_id) DO UPDATE SET key_id = excluded.key_id, value = excluded.value,
					updated_by = excluded.updated_by, updated_at = excluded.updated_at`,
				contactID, v.AttributeID, keyID, body, v.UpdatedBy, now); err != nil {
				if code, _ := pgError(err); code == foreignKeyViolation {
					return switchboard.Errorf(switchboard.EInvalid, "Unknown attribute.")
				}
				return fmt.Errorf("set contact attribute: %w", err)
			}
		}
		return nil
	})
}

// contactKey returns a contact's data key id, holding the contact's row
// until the transaction ends so an erasure waits for the write.
func contactKey(ctx context.Context, tx *txn, contactID string) (string, error) {
	var keyID string
	err := tx.QueryRow(ctx, `SELECT key_id FROM contacts WHERE id = $1 FOR SHARE`, contactID).Scan(&keyID)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", switchboard.NotFound("Contact")
	} else if err != nil {
		return "", fmt.Errorf("contact key: %w", err)
	}
	return keyID, nil
}

// AddContactNote stores a note about a contact sealed under its data key.
func (db *DB) AddContactNote(ctx context.Context, n *switchboard.ContactNote) error {
	c := *n
	if err := c.Prepare(db.now()); err != nil {
		return err
	}
	err := db.withTx(ctx, func(tx *txn) error {
		keyID, err := contactKey(ctx, tx, c.ContactID)
		if err != nil {
			return err
		}
		body, err := db.codec.SealJSON(ctx, keyID, "contact_notes", "body", c.ID, c.Text)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO contact_notes (id, contact_id, author_id, key_id, body, created_at)
			VALUES ($1, $2, $3, $4, $5, $6)`, c.ID, c.ContactID, c.AuthorID, keyID, body, c.CreatedAt); err != nil {
			if code, _ := pgError(err); code == uniqueViolation {
				return switchboard.Errorf(switchboard.EConflict, "Note already exists.")
			}
			return fmt.Errorf("add contact note: %w", err)
		}
		return nil
	})
	if err != nil {
		return err
	}
	*n = c
	return nil
}

const contactNoteColumns = `id, contact_id, author_id, key_id, body, created_at`

type sealedContactNote struct {
	n     switchboard.ContactNote
	keyID string
	body  []byte
}

func scanSealedContactNote(row interface{ Scan(...any) error }) (sealedContactNote, error) {
	var s sealedContactNote
	err := row.Scan(&s.n.ID, &s.n.ContactID, &s.n.AuthorID, &s.keyID, &s.body, &s.n.CreatedAt)
	return s, err
}

func (db *DB) openContactNote(ctx context.Context, s sealedContactNote) (*switchboard.ContactNote, error) {
	n := s.n
	if err := db.codec.OpenJSON(ctx, s.keyID, "contact_notes", "body", n.ID, s.body, &n.Text); err != nil {
		return nil, err
	}
	n.CreatedAt = n.CreatedAt.UTC()
	return &n, nil
}

// ContactNotes returns a contact's notes, newest first.
func (db *DB) ContactNotes(ctx context.Context, contactID string) ([]*switchboard.ContactNote, error) {
	rows, err := db.pool.Query(ctx, `SELECT `+contactNoteColumns+` FROM contact_notes WHERE contact_id = $1
		ORDER BY created_at DESC, id DESC LIMIT $2`, contactID, switchboard.MaxContactNotes)
	if err != nil {
		return nil, fmt.Errorf("list contact notes: %w", err)
	}
	defer rows.Close()
	var ss []sealedContactNote
	for rows.Next() {
		s, err := scanSealedContactNote(rows)
		if err != nil {
			return nil, fmt.Errorf("list contact notes: %w", err)
		}
		ss = append(ss, s)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list contact notes: %w", err)
	}
	rows.Close()
	out := make([]*switchboard.ContactNote, 0, len(ss))
	for _, s := range ss {
		n, err := db.openContactNote(ctx, s)
		if err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, nil
}

// ContactNote returns one note of a contact.
func (db *DB) ContactNote(ctx context.Context, contactID, noteID string) (*switchboard.ContactNote, error) {
	s, err := scanSealedContactNote(db.pool.QueryRow(ctx, `SELECT `+contactNoteColumns+` FROM contact_notes
		WHERE contact_id = $1 AND id = $2`, contactID, noteID))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, switchboard.NotFound("Note")
	} else if err != nil {
		return nil, fmt.Errorf("get contact note: %w", err)
	}
	return db.openContactNote(ctx, s)
}

// DeleteContactNote deletes a note of a contact.
func (db *DB) DeleteContactNote(ctx context.Context, contactID, noteID string) error {
	tag, err := db.pool.Exec(ctx, `DELETE FROM contact_notes WHERE contact_id = $1 AND id = $2`, contactID, noteID)
	if err != nil {
		return fmt.Errorf("delete contact note: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return switchboard.NotFound("Note")
	}
	return nil
}

// CustomerConversationIDs returns the conversations of a contact and of
// the same customer on the other channels, newest first. Contacts are
// found by their blind indexes, which are per channel: one pair of
// hashes for each channel.
func (db *DB) CustomerConversationIDs(ctx context.Context, c *switchboard.Contact) ([]string, error) {
	channels, err := db.channelIDs(ctx)
	if err != nil {
		return nil, err
	}
	var args []any
	q := storekit.CustomerConversationsQuery(db.codec, c, channels, func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	})
	rows, err := db.pool.Query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("list customer conversations: %w", err)
	}
	defer rows.Close()
	out := []string{}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("list customer conversations: %w", err)
		}
		out = append(out, id)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list customer conversations: %w", err)
	}
	return out, nil
}

// channelIDs lists the ids of every channel.
func (db *DB) channelIDs(ctx context.Context) ([]string, error) {
	rows, err := db.pool.Query(ctx, `SELECT id FROM channels ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("list channel ids: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("list channel ids: %w", err)
		}
		out = append(out, id)
	}
	return out, rows.Err()
}
