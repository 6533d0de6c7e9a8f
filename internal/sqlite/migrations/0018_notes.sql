-- Private notes, activity lines and mentions (docs/notes.md): a
-- conversation's thread entries beside its messages, and the users with
-- an active mention, who may read the conversation while it lasts. An
-- entry's text, mentions and activity are sealed under the
-- conversation's data key.
CREATE TABLE thread_entries (
	id              TEXT PRIMARY KEY,
	conversation_id TEXT NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
	kind            TEXT NOT NULL,
	author_id       TEXT NOT NULL DEFAULT '',
	key_id          TEXT NOT NULL,
	body            BLOB NOT NULL, -- sealed JSON {text, mentions, activity}
	created_at      INTEGER NOT NULL
);
CREATE INDEX thread_entries_conversation ON thread_entries (conversation_id, created_at, id);

CREATE TABLE conversation_mentions (
	conversation_id TEXT NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
	user_id         TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	note_id         TEXT NOT NULL,
	mentioned_by    TEXT NOT NULL DEFAULT '',
	created_at      INTEGER NOT NULL,
	PRIMARY KEY (conversation_id, user_id)
);
CREATE INDEX conversation_mentions_user ON conversation_mentions (user_id, created_at);
