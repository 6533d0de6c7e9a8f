-- The event log (docs/automation.md, "Durable deliveries"): one row per
-- change that outgoing webhooks may announce, written in the transaction
-- of the change, fanned out into webhook_deliveries by a worker, and
-- deleted a day after that. position grows with every row; concurrent
-- transactions may commit out of position order, so readers take every
-- row not yet processed rather than a range after the last position. The
-- row names the change, it holds no customer data.
CREATE TABLE events (
	position        BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	id              TEXT NOT NULL,
	type            TEXT NOT NULL,
	at              TIMESTAMPTZ NOT NULL,
	conversation_id TEXT NOT NULL DEFAULT '',
	channel_id      TEXT NOT NULL DEFAULT '',
	subject_id      TEXT NOT NULL DEFAULT '',
	processed_at    TIMESTAMPTZ
);
CREATE INDEX events_pending ON events (position) WHERE processed_at IS NULL;
CREATE INDEX events_processed ON events (processed_at) WHERE processed_at IS NOT NULL;
