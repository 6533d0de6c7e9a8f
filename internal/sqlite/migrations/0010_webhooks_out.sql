-- Outgoing webhooks: subscriptions and their durable deliveries. The
-- secret and every payload are sealed under the subscription's data key.
CREATE TABLE webhook_subscriptions (
	id           TEXT PRIMARY KEY,
	description  TEXT NOT NULL,
	url          TEXT NOT NULL,
	events       TEXT NOT NULL,    -- JSON array of event patterns
	all_channels INTEGER NOT NULL,
	channel_ids  TEXT NOT NULL,    -- JSON array
	active       INTEGER NOT NULL,
	key_id       TEXT NOT NULL,
	secret       BLOB NOT NULL,
	created_by   TEXT NOT NULL,
	created_at   INTEGER NOT NULL,
	updated_at   INTEGER NOT NULL
);

CREATE TABLE webhook_deliveries (
	id              TEXT PRIMARY KEY,
	subscription_id TEXT NOT NULL REFERENCES webhook_subscriptions(id) ON DELETE CASCADE,
	event_type      TEXT NOT NULL,
	payload         BLOB NOT NULL,
	state           TEXT NOT NULL,
	attempts        INTEGER NOT NULL DEFAULT 0,
	created_at      INTEGER NOT NULL,
	retry_from      INTEGER NOT NULL,
	next_attempt_at INTEGER,
	leased_until    INTEGER,
	last_attempt_at INTEGER,
	last_status     INTEGER NOT NULL DEFAULT 0,
	last_latency_ms INTEGER NOT NULL DEFAULT 0,
	last_error      TEXT NOT NULL DEFAULT ''
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE state = 'pending';
CREATE INDEX webhook_deliveries_sub ON webhook_deliveries (subscription_id, created_at);
