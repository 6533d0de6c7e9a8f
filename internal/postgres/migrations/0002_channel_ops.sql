-- 0002_channel_ops: what the WhatsApp channel needs besides messages: the
-- durable webhook queue, the outbox's leases, parked delivery statuses,
-- channel health, templates, media and idempotent sends. As in 0001,
-- customer data is stored only sealed (bytea) or as blind-index hashes.

-- webhook_inbox holds signature-checked webhook bodies until the ingest
-- worker has processed them. The body is sealed under the channel's data
-- key; its AAD names the row by uid, a random id chosen before the insert
-- (the identity id is only known afterwards), so an insert is one
-- statement.
CREATE TABLE webhook_inbox (
	id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	uid          text NOT NULL,
	channel_id   text NOT NULL REFERENCES channels (id) ON DELETE CASCADE,
	key_id       text NOT NULL REFERENCES data_keys (id),
	body         bytea NOT NULL,
	received_at  timestamptz NOT NULL,
	leased_until timestamptz,
	attempts     integer NOT NULL DEFAULT 0
);
CREATE INDEX webhook_inbox_channel_id ON webhook_inbox (channel_id);

-- The outbox gains a lease (set while a sender works on a row) and the
-- message's timestamp, which orders each conversation's rows.
ALTER TABLE outbox
	ADD COLUMN leased_until timestamptz,
	ADD COLUMN ts timestamptz;
UPDATE outbox o SET ts = m.ts FROM messages m WHERE m.id = o.message_id;
ALTER TABLE outbox ALTER COLUMN ts SET NOT NULL;
DROP INDEX outbox_due; -- claims go by conversation order now
CREATE INDEX outbox_order ON outbox (ts, message_id);
CREATE INDEX outbox_conversation_order ON outbox (conversation_id, ts, message_id);
CREATE INDEX outbox_channel_id ON outbox (channel_id);

-- pending_statuses are delivery statuses that arrived before the send call
-- recorded the message's wamid. They are found by the wamid's blind index
-- and applied by MarkSent. Error details are sealed under the channel's
-- data key.
CREATE TABLE pending_statuses (
	id          text PRIMARY KEY,
	wamid_hash  bytea NOT NULL,
	channel_id  text NOT NULL REFERENCES channels (id) ON DELETE CASCADE,
	key_id      text NOT NULL REFERENCES data_keys (id),
	status      text NOT NULL,
	ts          timestamptz NOT NULL,
	error       bytea, -- sealed JSON of switchboard.MessageError
	received_at timestamptz NOT NULL,
	UNIQUE (wamid_hash, status)
);
CREATE INDEX pending_statuses_received_at ON pending_statuses (received_at);

-- Channel health, as administrators see it.
ALTER TABLE channels
	ADD COLUMN last_webhook_at     timestamptz,
	ADD COLUMN last_send_at        timestamptz,
	ADD COLUMN token_state         text NOT NULL DEFAULT 'unknown',
	ADD COLUMN token_error         text NOT NULL DEFAULT '',
	ADD COLUMN templates_synced_at timestamptz,
	ADD COLUMN template_sync_error text NOT NULL DEFAULT '';

-- templates are the approved message templates of a channel's WhatsApp
-- Business Account: business content, stored in clear.
CREATE TABLE templates (
	channel_id       text NOT NULL REFERENCES channels (id) ON DELETE CASCADE,
	name             text NOT NULL,
	language         text NOT NULL,
	status           text NOT NULL DEFAULT '',
	category         text NOT NULL DEFAULT '',
	parameter_format text NOT NULL DEFAULT '',
	components       text NOT NULL DEFAULT '[]', -- JSON as Meta sent it
	synced_at        timestamptz NOT NULL,
	PRIMARY KEY (channel_id, name, language)
);

-- media are stored attachments; the bytes live encrypted in a blob store
-- under the same data key (the contact's), the file name is sealed here.
CREATE TABLE media (
	id              text PRIMARY KEY,
	conversation_id text NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
	message_id      text REFERENCES messages (id) ON DELETE SET NULL,
	key_id          text NOT NULL REFERENCES data_keys (id),
	mime_type       text NOT NULL DEFAULT '',
	filename        bytea NOT NULL, -- sealed
	size            bigint NOT NULL DEFAULT 0,
	sha256          text NOT NULL DEFAULT '',
	created_at      timestamptz NOT NULL
);
CREATE INDEX media_conversation_id ON media (conversation_id);
CREATE INDEX media_message_id ON media (message_id);

-- media_downloads is the queue of inbound attachments to fetch from Meta.
CREATE TABLE media_downloads (
	message_id      text PRIMARY KEY REFERENCES messages (id) ON DELETE CASCADE,
	conversation_id text NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
	channel_id      text NOT NULL REFERENCES channels (id) ON DELETE CASCADE,
	key_id          text NOT NULL REFERENCES data_keys (id),
	wa_media_id     bytea NOT NULL, -- sealed
	mime_type       text NOT NULL DEFAULT '',
	sha256          text NOT NULL DEFAULT '',
	filename        bytea NOT NULL, -- sealed
	attempts        integer NOT NULL DEFAULT 0,
	next_attempt_at timestamptz NOT NULL,
	leased_until    timestamptz,
	queued_at       timestamptz NOT NULL
);
CREATE INDEX media_downloads_due ON media_downloads (next_attempt_at, queued_at);

-- idempotency_keys remember which message a user's Idempotency-Key
-- created. The key is chosen by the client and carries no customer data.
CREATE TABLE idempotency_keys (
	user_id    text NOT NULL,
	key        text NOT NULL,
	message_id text NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
	created_at timestamptz NOT NULL,
	PRIMARY KEY (user_id, key)
);
CREATE INDEX idempotency_keys_created_at ON idempotency_keys (created_at);
