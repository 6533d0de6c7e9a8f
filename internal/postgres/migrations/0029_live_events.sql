-- Live events across instances (docs/architecture.md, "Events across
-- instances"): every event the real-time hub fans out, as the instance
-- that published it wrote it, so that every instance on this database
-- feeds its own hub from here and replays ?last_id= from here. Writers
-- hold this table's EXCLUSIVE lock for their short transaction, so rows
-- commit in position order and a reader that takes every row after the
-- last position it saw cannot skip a late commit. body is the event
-- (its data and who may see it) sealed under key_id; type and
-- conversation_id name it, no customer data is stored in the clear.
-- Rows are pruned after a retention window, the newest one kept.
CREATE TABLE live_events (
	position        BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	type            TEXT NOT NULL,
	at              TIMESTAMPTZ NOT NULL,
	conversation_id TEXT NOT NULL DEFAULT '',
	key_id          TEXT NOT NULL,
	body            BYTEA NOT NULL
);
CREATE INDEX live_events_at ON live_events (at);
