-- 0001_init: the whole first schema.
--
-- Times are INTEGER microseconds since the Unix epoch, UTC (NULL for "never").
-- Columns named *_hash or term hold keyed blind-index values; columns of type
-- BLOB next to a key_id hold AES-256-GCM ciphertexts sealed under that data
-- key. Nothing customer-related is stored in clear.

CREATE TABLE settings (
	name  TEXT PRIMARY KEY,
	value TEXT NOT NULL
) STRICT;

-- data_keys holds one wrapped data key per contact and per channel. Erasing a
-- contact destroys its key (wrapped = NULL, destroyed_at set).
CREATE TABLE data_keys (
	id            TEXT PRIMARY KEY,
	master_key_id TEXT NOT NULL,
	wrapped       BLOB,
	created_at    INTEGER NOT NULL,
	destroyed_at  INTEGER
) STRICT;

CREATE TABLE roles (
	id          TEXT PRIMARY KEY,
	name        TEXT NOT NULL UNIQUE,
	description TEXT NOT NULL DEFAULT '',
	permissions TEXT NOT NULL DEFAULT '[]',
	channel_ids TEXT NOT NULL DEFAULT '[]',
	built_in    INTEGER NOT NULL DEFAULT 0,
	created_at  INTEGER NOT NULL,
	updated_at  INTEGER NOT NULL
) STRICT;

CREATE TABLE users (
	id                  TEXT PRIMARY KEY,
	login               TEXT NOT NULL UNIQUE,
	name                TEXT NOT NULL,
	role_id             TEXT NOT NULL REFERENCES roles (id),
	active              INTEGER NOT NULL,
	password_hash       TEXT NOT NULL DEFAULT '',
	password_changed_at INTEGER,
	created_at          INTEGER NOT NULL,
	updated_at          INTEGER NOT NULL
) STRICT;
CREATE INDEX users_role_id ON users (role_id);

CREATE TABLE sessions (
	id           TEXT PRIMARY KEY,
	user_id      TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	created_at   INTEGER NOT NULL,
	last_seen_at INTEGER NOT NULL,
	expires_at   INTEGER NOT NULL,
	ip           TEXT NOT NULL DEFAULT '',
	user_agent   TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX sessions_user_id ON sessions (user_id);
CREATE INDEX sessions_expires_at ON sessions (expires_at);
CREATE INDEX sessions_last_seen_at ON sessions (last_seen_at);

CREATE TABLE setup_tokens (
	hash       TEXT PRIMARY KEY,
	expires_at INTEGER NOT NULL
) STRICT;

CREATE TABLE channels (
	id                   TEXT PRIMARY KEY,
	name                 TEXT NOT NULL,
	phone_number_id      TEXT NOT NULL UNIQUE,
	waba_id              TEXT NOT NULL DEFAULT '',
	display_phone_number TEXT NOT NULL DEFAULT '',
	graph_url            TEXT NOT NULL DEFAULT '',
	key_id               TEXT NOT NULL REFERENCES data_keys (id),
	secrets              BLOB NOT NULL,
	mark_read            INTEGER NOT NULL DEFAULT 0,
	emulated             INTEGER NOT NULL DEFAULT 0,
	created_at           INTEGER NOT NULL,
	updated_at           INTEGER NOT NULL
) STRICT;

CREATE TABLE contacts (
	id         TEXT PRIMARY KEY,
	channel_id TEXT NOT NULL REFERENCES channels (id),
	key_id     TEXT NOT NULL REFERENCES data_keys (id),
	wa_id_hash BLOB NOT NULL,
	wa_id      BLOB NOT NULL,
	name       BLOB NOT NULL,
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL
) STRICT;
CREATE UNIQUE INDEX contacts_channel_wa_id_hash ON contacts (channel_id, wa_id_hash);

CREATE TABLE contact_terms (
	term       BLOB NOT NULL,
	contact_id TEXT NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
	PRIMARY KEY (term, contact_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX contact_terms_contact_id ON contact_terms (contact_id);

CREATE TABLE conversations (
	id              TEXT PRIMARY KEY,
	channel_id      TEXT NOT NULL REFERENCES channels (id),
	contact_id      TEXT NOT NULL REFERENCES contacts (id),
	status          TEXT NOT NULL CHECK (status IN ('open', 'closed')),
	key_id          TEXT NOT NULL REFERENCES data_keys (id),
	last_message    BLOB,
	last_message_at INTEGER,
	last_inbound_at INTEGER,
	inbound_count   INTEGER NOT NULL DEFAULT 0,
	created_at      INTEGER NOT NULL,
	updated_at      INTEGER NOT NULL
) STRICT;
-- At most one open conversation per contact (and so per channel).
CREATE UNIQUE INDEX conversations_one_open ON conversations (contact_id) WHERE status = 'open';
CREATE INDEX conversations_contact_id ON conversations (contact_id, updated_at);
CREATE INDEX conversations_updated_at ON conversations (updated_at DESC, id DESC);
CREATE INDEX conversations_channel_updated_at ON conversations (channel_id, updated_at DESC, id DESC);

CREATE TABLE conversation_assignees (
	conversation_id TEXT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
	user_id         TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	assigned_at     INTEGER NOT NULL,
	PRIMARY KEY (conversation_id, user_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX conversation_assignees_user_id ON conversation_assignees (user_id);

-- Unread messages of a user = conversations.inbound_count - read_count.
CREATE TABLE conversation_reads (
	conversation_id TEXT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
	user_id         TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	read_count      INTEGER NOT NULL,
	PRIMARY KEY (conversation_id, user_id)
) STRICT, WITHOUT ROWID;

CREATE TABLE messages (
	id              TEXT PRIMARY KEY,
	conversation_id TEXT NOT NULL REFERENCES conversations (id),
	key_id          TEXT NOT NULL REFERENCES data_keys (id),
	direction       TEXT NOT NULL CHECK (direction IN ('in', 'out')),
	type            TEXT NOT NULL,
	status          TEXT NOT NULL,
	content         BLOB NOT NULL,
	wa_message_id   BLOB,
	wamid_hash      BLOB UNIQUE,
	reply_to_id     TEXT NOT NULL DEFAULT '',
	sender_id       TEXT NOT NULL DEFAULT '',
	error_code      INTEGER,
	error_title     TEXT NOT NULL DEFAULT '',
	error_details   TEXT NOT NULL DEFAULT '',
	ts              INTEGER NOT NULL,
	created_at      INTEGER NOT NULL,
	updated_at      INTEGER NOT NULL
) STRICT;
CREATE INDEX messages_conversation_ts ON messages (conversation_id, ts DESC, id DESC);

-- outbox lists outbound messages that the sender worker still has to send.
CREATE TABLE outbox (
	message_id      TEXT PRIMARY KEY REFERENCES messages (id) ON DELETE CASCADE,
	conversation_id TEXT NOT NULL REFERENCES conversations (id),
	channel_id      TEXT NOT NULL REFERENCES channels (id),
	state           TEXT NOT NULL,
	attempts        INTEGER NOT NULL DEFAULT 0,
	next_attempt_at INTEGER NOT NULL,
	created_at      INTEGER NOT NULL
) STRICT;
CREATE INDEX outbox_state_next_attempt_at ON outbox (state, next_attempt_at);

CREATE TABLE audit_log (
	seq         INTEGER PRIMARY KEY,
	at          INTEGER NOT NULL,
	actor_id    TEXT NOT NULL DEFAULT '',
	actor_login TEXT NOT NULL DEFAULT '',
	action      TEXT NOT NULL,
	object_type TEXT NOT NULL DEFAULT '',
	object_id   TEXT NOT NULL DEFAULT '',
	outcome     TEXT NOT NULL,
	ip          TEXT NOT NULL DEFAULT '',
	user_agent  TEXT NOT NULL DEFAULT '',
	detail      TEXT NOT NULL DEFAULT '{}',
	prev_hash   TEXT NOT NULL,
	hash        TEXT NOT NULL
) STRICT;
CREATE INDEX audit_log_actor_id ON audit_log (actor_id, seq);
CREATE INDEX audit_log_action ON audit_log (action, seq);
CREATE INDEX audit_log_object ON audit_log (object_type, object_id, seq);
CREATE INDEX audit_log_at ON audit_log (at);
