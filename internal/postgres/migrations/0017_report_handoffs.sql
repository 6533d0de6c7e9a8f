-- 0017_report_handoffs: the hand-offs as facts for the bots report, and an
-- index of the outbound messages for the agents report
-- (docs/reports.md). A conversation keeps only its last hand-off (sealed);
-- every change of handler is also recorded here, with the reason as a code
-- (switchboard.ReportHandoffReason: words a bot or an operator wrote are
-- "other" and stay sealed on the conversation). The rows go with their
-- conversation; the trigger marks their slot for the report rollups.
CREATE TABLE handoffs (
	id              text PRIMARY KEY,
	conversation_id text NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
	channel_id      text NOT NULL,
	at              timestamptz NOT NULL,
	to_handler      text NOT NULL,
	reason          text NOT NULL
);
CREATE INDEX handoffs_at ON handoffs (at, channel_id, to_handler, reason);
CREATE INDEX handoffs_conversation ON handoffs (conversation_id);

CREATE FUNCTION report_handoff_dirty() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO report_dirty (slot, seq) VALUES (report_slot(OLD.at), nextval('report_dirty_seq'))
		ON CONFLICT (slot) DO UPDATE SET seq = excluded.seq;
	RETURN NULL;
END $$;
CREATE TRIGGER report_handoffs_deleted AFTER DELETE ON handoffs FOR EACH ROW EXECUTE FUNCTION report_handoff_dirty();

-- The agents report counts each employee's outbound messages and distinct
-- conversations over the range from this index alone: a tenth of
-- messages_report_ts, which holds the inbound messages too (direction is
-- a column as well, so that SQLite sees the index covers the query).
CREATE INDEX messages_report_out ON messages (ts, sender_id, conversation_id, direction) WHERE direction = 'out';
