-- The rest of the webhook surface (issue 11).

-- How Meta bills an outbound message, from its statuses (JSON; not
-- customer data, so not sealed). Parked statuses keep theirs until the
-- message is known.
ALTER TABLE messages ADD COLUMN pricing TEXT;
ALTER TABLE pending_statuses ADD COLUMN pricing TEXT;

-- A customer's marketing preference (user_preferences): NULL until Meta
-- reported one; 1 stopped, 0 resumed, at the report's time.
ALTER TABLE contacts ADD COLUMN marketing_stopped INTEGER;
ALTER TABLE contacts ADD COLUMN marketing_at INTEGER;

-- Old identifiers of a contact (user_changed_number, user_changed_user_id),
-- sealed under the contact's data key as JSON.
CREATE TABLE contact_identity_history (
	id         TEXT PRIMARY KEY,
	contact_id TEXT NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
	key_id     TEXT NOT NULL,
	ids        BLOB NOT NULL,
	at         INTEGER NOT NULL
);
CREATE INDEX contact_identity_history_contact ON contact_identity_history (contact_id, at);

-- Account alerts, account updates, capability and number quality changes.
CREATE TABLE channel_notices (
	id         TEXT PRIMARY KEY,
	channel_id TEXT NOT NULL REFERENCES channels (id) ON DELETE CASCADE,
	field      TEXT NOT NULL,
	kind       TEXT NOT NULL,
	severity   TEXT NOT NULL,
	summary    TEXT NOT NULL,
	at         INTEGER NOT NULL
);
CREATE INDEX channel_notices_channel ON channel_notices (channel_id, at);

-- standby and messaging_handovers values, raw and sealed under the
-- conversation's data key, for a later bot feature.
CREATE TABLE conversation_signals (
	id              TEXT PRIMARY KEY,
	conversation_id TEXT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
	field           TEXT NOT NULL,
	key_id          TEXT NOT NULL,
	raw             BLOB NOT NULL,
	at              INTEGER NOT NULL
);
CREATE INDEX conversation_signals_conversation ON conversation_signals (conversation_id, at);

-- A template's quality score (message_template_quality_update).
ALTER TABLE templates ADD COLUMN quality TEXT NOT NULL DEFAULT '';

-- The welcome message a channel sends on request_welcome ('' for none).
ALTER TABLE channels ADD COLUMN welcome_message TEXT NOT NULL DEFAULT '';
