-- 0001_init: the whole initial schema. Customer data (contact names and
-- numbers, message bodies and ids, previews, channel secrets) is stored only
-- as AES-256-GCM ciphertext (bytea) plus keyed blind-index hashes; see
-- internal/storecrypt. Times are timestamptz at microsecond precision.

-- settings holds installation-wide values such as the wrapped blind-index
-- key, with the id of the master key that wrapped it.
CREATE TABLE settings (
	name          text PRIMARY KEY,
	value         bytea NOT NULL,
	master_key_id text NOT NULL DEFAULT ''
);

-- data_keys are per-contact and per-channel data keys, wrapped by a master
-- key. Erasing a contact destroys its key (crypto-shredding).
CREATE TABLE data_keys (
	id            text PRIMARY KEY,
	master_key_id text NOT NULL,
	wrapped       bytea,      -- NULL once destroyed
	created_at    timestamptz NOT NULL,
	destroyed_at  timestamptz
);

CREATE TABLE roles (
	id          text PRIMARY KEY,
	name        text NOT NULL UNIQUE,
	description text NOT NULL DEFAULT '',
	permissions text NOT NULL DEFAULT '[]', -- JSON array of permission names
	channel_ids text NOT NULL DEFAULT '[]', -- JSON array; empty means all channels
	built_in    boolean NOT NULL DEFAULT false,
	created_at  timestamptz NOT NULL,
	updated_at  timestamptz NOT NULL
);

CREATE TABLE users (
	id                  text PRIMARY KEY,
	login               text NOT NULL UNIQUE, -- lower-case
	name                text NOT NULL,
	role_id             text NOT NULL REFERENCES roles (id),
	active              boolean NOT NULL DEFAULT true,
	password_hash       text NOT NULL DEFAULT '',
	password_changed_at timestamptz,
	created_at          timestamptz NOT NULL,
	updated_at          timestamptz NOT NULL
);
CREATE INDEX users_role_id ON users (role_id);

-- sessions are keyed by the SHA-256 of the token; the token is never stored.
CREATE TABLE sessions (
	id           text PRIMARY KEY,
	user_id      text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	created_at   timestamptz NOT NULL,
	last_seen_at timestamptz NOT NULL,
	expires_at   timestamptz NOT NULL,
	ip           text NOT NULL DEFAULT '',
	user_agent   text NOT NULL DEFAULT ''
);
CREATE INDEX sessions_user_id ON sessions (user_id);
CREATE INDEX sessions_expires_at ON sessions (expires_at);
CREATE INDEX sessions_last_seen_at ON sessions (last_seen_at);

CREATE TABLE setup_tokens (
	hash       text PRIMARY KEY,
	expires_at timestamptz NOT NULL
);

-- channels keep access_token, app_secret and verify_token as one sealed JSON
-- blob under the channel's own data key.
CREATE TABLE channels (
	id                   text PRIMARY KEY,
	name                 text NOT NULL,
	phone_number_id      text NOT NULL UNIQUE,
	waba_id              text NOT NULL DEFAULT '',
	display_phone_number text NOT NULL DEFAULT '',
	graph_url            text NOT NULL DEFAULT '',
	key_id               text NOT NULL REFERENCES data_keys (id),
	secrets              bytea NOT NULL,
	mark_read            boolean NOT NULL DEFAULT false,
	emulated             boolean NOT NULL DEFAULT false,
	created_at           timestamptz NOT NULL,
	updated_at           timestamptz NOT NULL
);

-- contacts are found by wa_id_hash, a blind index of channel id and WhatsApp
-- id; wa_id and name are sealed under the contact's data key.
CREATE TABLE contacts (
	id         text PRIMARY KEY,
	channel_id text NOT NULL REFERENCES channels (id),
	key_id     text NOT NULL REFERENCES data_keys (id),
	wa_id_hash bytea NOT NULL,
	wa_id      bytea NOT NULL,
	name       bytea NOT NULL,
	created_at timestamptz NOT NULL,
	updated_at timestamptz NOT NULL,
	UNIQUE (channel_id, wa_id_hash)
);

-- contact_terms are the blind-index search terms of a contact's name and
-- number; a query matches a contact that has all of the query's terms.
CREATE TABLE contact_terms (
	term       bytea NOT NULL,
	contact_id text NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
	PRIMARY KEY (term, contact_id)
);
CREATE INDEX contact_terms_contact_id ON contact_terms (contact_id);

CREATE TABLE conversations (
	id              text PRIMARY KEY,
	channel_id      text NOT NULL REFERENCES channels (id),
	contact_id      text NOT NULL REFERENCES contacts (id),
	status          text NOT NULL CHECK (status IN ('open', 'closed')),
	last_message    bytea,       -- sealed JSON of switchboard.MessagePreview
	last_message_at timestamptz,
	last_inbound_at timestamptz, -- Meta's timestamp of the newest customer message
	inbound_count   integer NOT NULL DEFAULT 0,
	key_id          text NOT NULL REFERENCES data_keys (id),
	created_at      timestamptz NOT NULL,
	updated_at      timestamptz NOT NULL
);
-- At most one open conversation per contact.
CREATE UNIQUE INDEX conversations_one_open ON conversations (contact_id) WHERE status = 'open';
CREATE INDEX conversations_contact_id ON conversations (contact_id, created_at DESC, id DESC);
CREATE INDEX conversations_updated_at ON conversations (updated_at DESC, id DESC);

CREATE TABLE conversation_assignees (
	conversation_id text NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
	user_id         text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	assigned_at     timestamptz NOT NULL,
	PRIMARY KEY (conversation_id, user_id)
);
CREATE INDEX conversation_assignees_user_id ON conversation_assignees (user_id);

-- conversation_reads holds, per user, how many inbound messages they had
-- seen; unread = conversations.inbound_count - read_count.
CREATE TABLE conversation_reads (
	conversation_id text NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
	user_id         text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	read_count      integer NOT NULL DEFAULT 0,
	PRIMARY KEY (conversation_id, user_id)
);

CREATE TABLE messages (
	id              text PRIMARY KEY,
	conversation_id text NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
	key_id          text NOT NULL REFERENCES data_keys (id),
	direction       text NOT NULL CHECK (direction IN ('in', 'out')),
	type            text NOT NULL,
	status          text NOT NULL,
	content         bytea NOT NULL, -- sealed JSON of switchboard.MessageContent
	wa_message_id   bytea,          -- sealed wamid
	wamid_hash      bytea UNIQUE,   -- blind index of channel id and wamid, for deduplication
	reply_to_id     text NOT NULL DEFAULT '',
	sender_id       text NOT NULL DEFAULT '',
	error_code      integer,
	error_title     text NOT NULL DEFAULT '',
	error_details   text NOT NULL DEFAULT '',
	ts              timestamptz NOT NULL,
	created_at      timestamptz NOT NULL,
	updated_at      timestamptz NOT NULL
);
CREATE INDEX messages_conversation_ts ON messages (conversation_id, ts DESC, id DESC);

-- outbox is the queue of outbound messages waiting to be sent.
CREATE TABLE outbox (
	message_id      text PRIMARY KEY REFERENCES messages (id) ON DELETE CASCADE,
	conversation_id text NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
	channel_id      text NOT NULL REFERENCES channels (id),
	state           text NOT NULL,
	attempts        integer NOT NULL DEFAULT 0,
	next_attempt_at timestamptz NOT NULL,
	created_at      timestamptz NOT NULL
);
CREATE INDEX outbox_due ON outbox (state, next_attempt_at);

-- audit_log is a hash chain: hash = SHA-256 over prev_hash and the entry.
CREATE TABLE audit_log (
	seq         bigint PRIMARY KEY,
	at          timestamptz NOT NULL,
	actor_id    text NOT NULL DEFAULT '',
	actor_login text NOT NULL DEFAULT '',
	action      text NOT NULL,
	object_type text NOT NULL DEFAULT '',
	object_id   text NOT NULL DEFAULT '',
	outcome     text NOT NULL DEFAULT '',
	ip          text NOT NULL DEFAULT '',
	user_agent  text NOT NULL DEFAULT '',
	detail      text NOT NULL DEFAULT '{}', -- JSON object
	prev_hash   text NOT NULL,
	hash        text NOT NULL
);
CREATE INDEX audit_log_actor ON audit_log (actor_id, seq DESC);
CREATE INDEX audit_log_action ON audit_log (action, seq DESC);
CREATE INDEX audit_log_object ON audit_log (object_type, object_id, seq DESC);
CREATE INDEX audit_log_at ON audit_log (at);
