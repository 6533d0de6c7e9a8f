-- 0002_channel_ops: what the WhatsApp channel needs besides messages: the
-- durable webhook queue, outbox leases, parked delivery statuses, channel
-- health, templates, media and idempotent sends.
--
-- Same conventions as 0001: times are INTEGER microseconds (UTC), BLOB
-- columns next to a key_id are AES-256-GCM ciphertexts, *_hash columns are
-- keyed blind-index values.

-- webhook_inbox holds signature-checked webhook bodies from Meta until the
-- ingest worker has applied them. body is sealed under the channel's data
-- key with AAD (webhook_inbox, body, uid): uid is a random id chosen before
-- the insert, so the body is sealed outside the single writer and before
-- SQLite has assigned the integer id. AUTOINCREMENT: ids are never reused,
-- so a late DeleteWebhooks of a reclaimed event cannot hit a newer one.
CREATE TABLE webhook_inbox (
	id           INTEGER PRIMARY KEY AUTOINCREMENT,
	uid          TEXT NOT NULL,
	channel_id   TEXT NOT NULL REFERENCES channels (id),
	key_id       TEXT NOT NULL REFERENCES data_keys (id),
	body         BLOB NOT NULL,
	received_at  INTEGER NOT NULL,
	leased_until INTEGER,
	attempts     INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE INDEX webhook_inbox_channel_id ON webhook_inbox (channel_id);

-- The outbox is claimed in message order per conversation: ts is the
-- message's timestamp, copied so the claim query needs no join.
-- leased_until is set while a sender holds the row; a lease that ran out
-- with attempts > 0 means the sender died mid-send.
ALTER TABLE outbox ADD COLUMN ts INTEGER NOT NULL DEFAULT 0;
ALTER TABLE outbox ADD COLUMN leased_until INTEGER;
UPDATE outbox SET ts = (SELECT m.ts FROM messages m WHERE m.id = outbox.message_id);
DROP INDEX outbox_state_next_attempt_at;
CREATE INDEX outbox_order ON outbox (ts, message_id);
CREATE INDEX outbox_conversation_order ON outbox (conversation_id, ts, message_id);
CREATE INDEX outbox_channel_id ON outbox (channel_id);

-- pending_statuses parks delivery statuses that arrive before the send call
-- has recorded the message's wamid; MarkSent applies and deletes them.
-- error is the sealed JSON of Meta's error, under the channel's data key,
-- AAD (pending_statuses, error, id).
CREATE TABLE pending_statuses (
	id         TEXT PRIMARY KEY,
	channel_id TEXT NOT NULL REFERENCES channels (id),
	wamid_hash BLOB NOT NULL,
	key_id     TEXT NOT NULL REFERENCES data_keys (id),
	status     TEXT NOT NULL,
	ts         INTEGER,
	error      BLOB,
	created_at INTEGER NOT NULL
) STRICT;
CREATE INDEX pending_statuses_wamid_hash ON pending_statuses (wamid_hash);
CREATE INDEX pending_statuses_created_at ON pending_statuses (created_at);

-- Channel health, shown to administrators.
ALTER TABLE channels ADD COLUMN last_webhook_at INTEGER;
ALTER TABLE channels ADD COLUMN last_send_at INTEGER;
ALTER TABLE channels ADD COLUMN token_state TEXT NOT NULL DEFAULT 'unknown';
ALTER TABLE channels ADD COLUMN token_error TEXT NOT NULL DEFAULT '';
ALTER TABLE channels ADD COLUMN templates_synced_at INTEGER;
ALTER TABLE channels ADD COLUMN template_sync_error TEXT NOT NULL DEFAULT '';

-- Message templates as last synced from Meta (not customer data).
CREATE TABLE templates (
	channel_id       TEXT NOT NULL REFERENCES channels (id),
	name             TEXT NOT NULL,
	language         TEXT NOT NULL,
	status           TEXT NOT NULL DEFAULT '',
	category         TEXT NOT NULL DEFAULT '',
	parameter_format TEXT NOT NULL DEFAULT '',
	components       TEXT NOT NULL DEFAULT '[]',
	synced_at        INTEGER NOT NULL,
	PRIMARY KEY (channel_id, name, language)
) STRICT, WITHOUT ROWID;

-- media describes stored files; the bytes live in the blob store, sealed
-- under key_id (the contact's data key). filename is sealed under the same
-- key, AAD (media, filename, id).
CREATE TABLE media (
	id              TEXT PRIMARY KEY,
	conversation_id TEXT NOT NULL REFERENCES conversations (id),
	message_id      TEXT,
	key_id          TEXT NOT NULL REFERENCES data_keys (id),
	mime_type       TEXT NOT NULL DEFAULT '',
	filename        BLOB,
	size            INTEGER NOT NULL DEFAULT 0,
	sha256          TEXT NOT NULL DEFAULT '',
	created_at      INTEGER NOT NULL
) STRICT;
CREATE INDEX media_conversation_id ON media (conversation_id);
CREATE INDEX media_message_id ON media (message_id);

-- media_downloads queues inbound attachments to fetch from Meta. The
-- WhatsApp media id and the filename are sealed under the contact's key,
-- AAD (media_downloads, column, message_id).
CREATE TABLE media_downloads (
	message_id      TEXT PRIMARY KEY REFERENCES messages (id) ON DELETE CASCADE,
	conversation_id TEXT NOT NULL REFERENCES conversations (id),
	channel_id      TEXT NOT NULL REFERENCES channels (id),
	key_id          TEXT NOT NULL REFERENCES data_keys (id),
	wa_media_id     BLOB NOT NULL,
	mime_type       TEXT NOT NULL DEFAULT '',
	sha256          TEXT NOT NULL DEFAULT '',
	filename        BLOB,
	attempts        INTEGER NOT NULL DEFAULT 0,
	next_attempt_at INTEGER NOT NULL,
	leased_until    INTEGER,
	queued_at       INTEGER NOT NULL
) STRICT;
CREATE INDEX media_downloads_due ON media_downloads (next_attempt_at);

-- idempotency_keys remembers which message a client's Idempotency-Key
-- created, per user.
CREATE TABLE idempotency_keys (
	user_id    TEXT NOT NULL,
	key        TEXT NOT NULL,
	message_id TEXT NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
	created_at INTEGER NOT NULL,
	PRIMARY KEY (user_id, key)
) STRICT, WITHOUT ROWID;
