-- 0017_report_handoffs: the hand-offs as facts for the bots report, and an
-- index of the outbound messages for the agents report
-- (docs/reports.md). A conversation keeps only its last hand-off (sealed);
-- every change of handler is also recorded here, with the reason as a code
-- (switchboard.ReportHandoffReason: words a bot or an operator wrote are
-- "other" and stay sealed on the conversation). The rows go with their
-- conversation; the trigger marks their slot for the report rollups.
CREATE TABLE handoffs (
	id              TEXT PRIMARY KEY,
	conversation_id TEXT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
	channel_id      TEXT NOT NULL,
	at              INTEGER NOT NULL,
	to_handler      TEXT NOT NULL,
	reason          TEXT NOT NULL
) STRICT;
CREATE INDEX handoffs_at ON handoffs (at, channel_id, to_handler, reason);
CREATE INDEX handoffs_conversation ON handoffs (conversation_id);

CREATE TRIGGER report_handoffs_deleted AFTER DELETE ON handoffs BEGIN
	INSERT OR REPLACE INTO report_dirty (slot, seq)
		VALUES (OLD.at / 900000000 * 900000000, (SELECT IFNULL(MAX(seq), 0) + 1 FROM report_dirty));
END;

-- The agents report counts each employee's outbound messages and distinct
-- conversations over the range from this index alone: a tenth of
-- messages_report_ts, which holds the inbound messages too (direction is
-- a column as well, so that SQLite sees the index covers the query).
CREATE INDEX messages_report_out ON messages (ts, sender_id, conversation_id, direction) WHERE direction = 'out';
