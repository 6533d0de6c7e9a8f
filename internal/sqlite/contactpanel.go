package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/internal/storekit"
)

const attributeDefColumns = `id, name, type, options, created_at, updated_at`

func scanAttributeDef(row interface{ Scan(...any) error }) (*switchboard.AttributeDef, error) {
	var d switchboard.AttributeDef
	var opts string
	var created, updated sql.NullInt64
	if err := row.Scan(&d.ID, &d.Name, &d.Type, &opts, &created, &updated); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(opts), &d.Options); err != nil {
		return nil, fmt.Errorf("attribute options: %w", err)
	}
	if d.Options == nil {
		d.Options = []string{}
	}
	d.CreatedAt, d.UpdatedAt = fromMicros(created), fromMicros(updated)
	return &d, nil
}

// AttributeDefs lists the custom attribute definitions by name.
func (db *DB) AttributeDefs(ctx context.Context) ([]*switchboard.AttributeDef, error) {
	rows, err := db.rdb.QueryContext(ctx, `SELECT `+attributeDefColumns+` FROM contact_attribute_defs ORDER BY name_key, id`)
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

// CreateAttributeDef stores a new custom attribute definition.
func (db *DB) CreateAttributeDef(ctx context.Context, d *switchboard.AttributeDef) error {
	n := *d
	if err := n.PrepareNew(db.now()); err != nil {
		return err
	}
	opts, err := json.Marshal(n.Options)
	if err != nil {
		return err
	}
	err = db.write(ctx, func(ctx context.Context, tx *writeTx) error {
		var count int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM contact_attribute_defs`).Scan(&count); err != nil {
			return fmt.Errorf("create attribute: %w", err)
		}
		if count >= switchboard.MaxAttributeDefs {
			return switchboard.ErrAttributeTooMany
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO contact_attribute_defs (id, name, name_key, type, options, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, n.ID, n.Name, switchboard.AttributeNameKey(n.Name), n.Type, string(opts),
			micros(n.CreatedAt), micros(n.UpdatedAt)); err != nil {
			if isPrimaryKey(err) {
				return switchboard.Errorf(switchboard.EConflict, "Attribute already exists.")
			}
			if isUnique(err) {
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
	err := db.write(ctx, func(ctx context.Context, tx *writeTx) error {
		old, err := scanAttributeDef(tx.QueryRowContext(ctx, `SELECT `+attributeDefColumns+` FROM contact_attribute_defs WHERE id = ?`, d.ID))
		if errors.Is(err, sql.ErrNoRows) {
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
		if _, err := tx.ExecContext(ctx, `UPDATE contact_attribute_defs SET name = ?, name_key = ?, options = ?, updated_at = ? WHERE id = ?`,
			n.Name, switchboard.AttributeNameKey(n.Name), string(opts), micros(n.UpdatedAt), n.ID); err != nil {
			if isUnique(err) {
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
	return db.write(ctx, func(ctx context.Context, tx *writeTx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM contact_attribute_values WHERE attribute_id = ?`, id); err != nil {
			return fmt.Errorf("delete attribute values: %w", err)
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM contact_attribute_defs WHERE id = ?`, id)
		if err != nil {
			return fmt.Errorf("delete attribute: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return switchboard.NotFound("Attribute")
		}
		return nil
	})
}

// ContactAttributes returns a contact's attribute values.
func (db *DB) ContactAttributes(ctx context.Context, contactID string) ([]*switchboard.AttributeValue, error) {
	rows, err := db.rdb.QueryContext(ctx, `SELECT attribute_id, key_id, value, updated_by, updated_at
		FROM contact_attribute_values WHERE contact_id = ? ORDER BY attribute_id`, contactID)
	if err != nil {
		return nil, fmt.Errorf("list contact attributes: %w", err)
	}
	defer rows.Close()
	out := []*switchboard.AttributeValue{}
	for rows.Next() {
		var v switchboard.AttributeValue
		var keyID string
		var body []byte
		var at sql.NullInt64
		if err := rows.Scan(&v.AttributeID, &keyID, &body, &v.UpdatedBy, &at); err != nil {
			return nil, fmt.Errorf("list contact attributes: %w", err)
		}
		if err := db.codec.OpenJSON(ctx, keyID, "contact_attribute_values", "value", contactID+"/"+v.AttributeID, body, &v.Value); err != nil {
			return nil, err
		}
		v.UpdatedAt = fromMicros(at)
		out = append(out, &v)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list contact attributes: %w", err)
	}
	return out, nil
}

// SetContactAttributes sets or removes a contact's attribute values.
func (db *DB) SetContactAttributes(ctx context.Context, contactID string, values []switchboard.AttributeValue) error {
	now := db.now()
	return db.write(ctx, func(ctx context.Context, tx *writeTx) error {
		keyID, err := contactKey(ctx, tx, contactID)
		if err != nil {
			return err
		}
		for _, v := range values {
			var known int
			if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM contact_attribute_defs WHERE id = ?`, v.AttributeID).Scan(&known); err != nil {
				return fmt.Errorf("set contact attribute: %w", err)
			}
			if known == 0 {
				return switchboard.Errorf(switchboard.EInvalid, "Unknown attribute.")
			}
			if v.Value == "" {
				if _, err := tx.ExecContext(ctx, `DELETE FROM contact_attribute_values WHERE contact_id = ? AND attribute_id = ?`, contactID, v.AttributeID); err != nil {
					return fmt.Errorf("delete contact attribute: %w", err)
				}
				continue
			}
			body, err := db.codec.SealJSON(ctx, keyID, "contact_attribute_values", "value", contactID+"/"+v.AttributeID, v.Value)
			if err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO contact_attribute_values (contact_id, attribute_id, key_id, value, updated_by, updated_at)
				VALUES (?, ?, ?, ?, ?, ?)
				ON CONFLICT (contact_id, attribute_id) DO UPDATE SET key_id = excluded.key_id, value = excluded.value,
					updated_by = excluded.updated_by, updated_at = excluded.updated_at`,
				contactID, v.AttributeID, keyID, body, v.UpdatedBy, micros(now)); err != nil {
				return fmt.Errorf("set contact attribute: %w", err)
			}
		}
		return nil
	})
}

func contactKey(ctx context.Context, q querier, contactID string) (string, error) {
	var keyID string
	err := q.QueryRowContext(ctx, `SELECT key_id FROM contacts WHERE id = ?`, contactID).Scan(&keyID)
	if errors.Is(err, sql.ErrNoRows) {
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
	err := db.write(ctx, func(ctx context.Context, tx *writeTx) error {
		keyID, err := contactKey(ctx, tx, c.ContactID)
		if err != nil {
			return err
		}
		body, err := db.codec.SealJSON(ctx, keyID, "contact_notes", "body", c.ID, c.Text)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO contact_notes (id, contact_id, author_id, key_id, body, created_at)
			VALUES (?, ?, ?, ?, ?, ?)`, c.ID, c.ContactID, c.AuthorID, keyID, body, micros(c.CreatedAt)); err != nil {
			if isPrimaryKey(err) {
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

func (db *DB) scanContactNote(ctx context.Context, row interface{ Scan(...any) error }) (*switchboard.ContactNote, error) {
	var n switchboard.ContactNote
	var keyID string
	var body []byte
	var at sql.NullInt64
	if err := row.Scan(&n.ID, &n.ContactID, &n.AuthorID, &keyID, &body, &at); err != nil {
		return nil, err
	}
	if err := db.codec.OpenJSON(ctx, keyID, "contact_notes", "body", n.ID, body, &n.Text); err != nil {
		return nil, err
	}
	n.CreatedAt = fromMicros(at)
	return &n, nil
}

// ContactNotes returns a contact's notes, newest first.
func (db *DB) ContactNotes(ctx context.Context, contactID string) ([]*switchboard.ContactNote, error) {
	rows, err := db.rdb.QueryContext(ctx, `SELECT `+contactNoteColumns+` FROM contact_notes WHERE contact_id = ?
		ORDER BY created_at DESC, id DESC LIMIT ?`, contactID, switchboard.MaxContactNotes)
	if err != nil {
		return nil, fmt.Errorf("list contact notes: %w", err)
	}
	defer rows.Close()
	out := []*switchboard.ContactNote{}
	for rows.Next() {
		n, err := db.scanContactNote(ctx, rows)
		if err != nil {
			return nil, fmt.Errorf("list contact notes: %w", err)
		}
		out = append(out, n)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list contact notes: %w", err)
	}
	return out, nil
}

// ContactNote returns one note of a contact.
func (db *DB) ContactNote(ctx context.Context, contactID, noteID string) (*switchboard.ContactNote, error) {
	n, err := db.scanContactNote(ctx, db.rdb.QueryRowContext(ctx, `SELECT `+contactNoteColumns+` FROM contact_notes
		WHERE contact_id = ? AND id = ?`, contactID, noteID))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, switchboard.NotFound("Note")
	} else if err != nil {
		return nil, fmt.Errorf("get contact note: %w", err)
	}
	return n, nil
}

// DeleteContactNote deletes a note of a contact.
func (db *DB) DeleteContactNote(ctx context.Context, contactID, noteID string) error {
	return db.write(ctx, func(ctx context.Context, tx *writeTx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM contact_notes WHERE contact_id = ? AND id = ?`, contactID, noteID)
		if err != nil {
			return fmt.Errorf("delete contact note: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return switchboard.NotFound("Note")
		}
		return nil
	})
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
		return "?"
	})
	rows, err := db.rdb.QueryContext(ctx, q, args...)
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
	rows, err := db.rdb.QueryContext(ctx, `SELECT id FROM channels ORDER BY id`)
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
