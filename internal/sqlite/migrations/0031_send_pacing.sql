-- Each channel's next free send time (switchboard.SendSlots). SQLite has
-- one instance, whose sender paces in memory; the table keeps the two
-- stores alike and passes the same conformance test. Times in
-- microseconds since the epoch. Transient: the dump leaves it out
-- (dump.QueueTables).
CREATE TABLE send_pacing (
	channel_id TEXT PRIMARY KEY,
	next_at    INTEGER NOT NULL
);
