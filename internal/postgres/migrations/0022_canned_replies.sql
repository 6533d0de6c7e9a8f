-- Canned replies and drafts (docs/canned-replies.md). A canned reply is a
-- business text written by the team, kept in plain text (searchable);
-- owner_id is '' for a shared reply, the user's id for a personal one.
-- shortcut_key is the folded shortcut (internal/fold), unique per scope,
-- search_key the folded shortcut and title on two lines.
CREATE TABLE canned_replies (
	id           TEXT PRIMARY KEY,
	owner_id     TEXT NOT NULL DEFAULT '',
	shortcut     TEXT NOT NULL,
	shortcut_key TEXT NOT NULL,
	search_key   TEXT NOT NULL,
	title        TEXT NOT NULL DEFAULT '',
	body         TEXT NOT NULL,
	created_by   TEXT NOT NULL DEFAULT '',
	created_at   TIMESTAMPTZ NOT NULL,
	updated_at   TIMESTAMPTZ NOT NULL,
	UNIQUE (owner_id, shortcut_key)
);

-- A user's unsent composer text per conversation, sealed under the
-- conversation's data key because it may quote the customer.
CREATE TABLE drafts (
	conversation_id TEXT NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
	user_id         TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	key_id          TEXT NOT NULL,
	body            BYTEA NOT NULL, -- sealed text
	updated_at      TIMESTAMPTZ NOT NULL,
	PRIMARY KEY (conversation_id, user_id)
);
