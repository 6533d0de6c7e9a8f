-- The contact panel (docs/contacts.md): custom attributes defined by
-- administrators, their values per contact and the team's notes about a
-- contact. Values and notes are customer data, sealed under the contact's
-- data key, and go with the contact when it is erased (ON DELETE CASCADE).
CREATE TABLE contact_attribute_defs (
	id         TEXT PRIMARY KEY,
	name       TEXT NOT NULL,
	name_key   TEXT NOT NULL UNIQUE, -- lower-cased name
	type       TEXT NOT NULL,
	options    TEXT NOT NULL DEFAULT '[]', -- JSON list of a list attribute's options
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL
);

CREATE TABLE contact_attribute_values (
	contact_id   TEXT NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
	attribute_id TEXT NOT NULL REFERENCES contact_attribute_defs(id) ON DELETE CASCADE,
	key_id       TEXT NOT NULL,
	value        BLOB NOT NULL, -- sealed text
	updated_by   TEXT NOT NULL DEFAULT '',
	updated_at   INTEGER NOT NULL,
	PRIMARY KEY (contact_id, attribute_id)
);
CREATE INDEX contact_attribute_values_attribute ON contact_attribute_values (attribute_id);

CREATE TABLE contact_notes (
	id         TEXT PRIMARY KEY,
	contact_id TEXT NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
	author_id  TEXT NOT NULL DEFAULT '',
	key_id     TEXT NOT NULL,
	body       BLOB NOT NULL, -- sealed text
	created_at INTEGER NOT NULL
);
CREATE INDEX contact_notes_contact ON contact_notes (contact_id, created_at, id);

-- The mentions list (docs/notes.md): when the mentioned user read the
-- mention; NULL while it is unread, and again after a newer note
-- mentions them in the same conversation.
ALTER TABLE conversation_mentions ADD COLUMN read_at INTEGER;
