-- The event log (docs/automation.md, "Durable deliveries"): one row per
-- change that outgoing webhooks may announce, written in the transaction
-- of the change, fanned out into webhook_deliveries by a worker, and
-- deleted a day after that. position grows with every row (the single
-- writer commits in position order). The row names the change, it holds
-- no customer data.
CREATE TABLE events (
	position        INTEGER PRIMARY KEY AUTOINCREMENT,
	id              TEXT NOT NULL,
	type            TEXT NOT NULL,
	at              INTEGER NOT NULL,
	conversation_id TEXT NOT NULL DEFAULT '',
	channel_id      TEXT NOT NULL DEFAULT '',
	subject_id      TEXT NOT NULL DEFAULT '',
	processed_at    INTEGER
);
CREATE INDEX events_pending ON events (position) WHERE processed_at IS NULL;
CREATE INDEX events_processed ON events (processed_at) WHERE processed_at IS NOT NULL;
