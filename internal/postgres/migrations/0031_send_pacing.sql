-- Each channel's next free send time, shared by every instance on this
-- database (switchboard.SendSlots, docs/deploy.md "Several instances"): a
-- sender claims a slot with one INSERT … ON CONFLICT … RETURNING, which
-- the row lock serialises, so instances together keep Meta's rate.
-- Transient: the dump leaves it out (dump.QueueTables).
CREATE TABLE send_pacing (
	channel_id text PRIMARY KEY,
	next_at    timestamptz NOT NULL
);
