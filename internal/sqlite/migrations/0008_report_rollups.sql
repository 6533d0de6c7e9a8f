-- 0010_report_rollups: the report rollups (docs/reports.md, "Rollups").
-- report_figures holds counters per 15-minute UTC slot and channel;
-- report_durations the first-response and resolution durations with their
-- time, read through a covering index. Both are derived from the facts by
-- internal/reports and rebuilt exactly by `switchboard reports rebuild`.
CREATE TABLE report_figures (
	slot       INTEGER NOT NULL,
	channel_id TEXT NOT NULL,
	metric     TEXT NOT NULL,
	count      INTEGER NOT NULL,
	PRIMARY KEY (slot, channel_id, metric)
) STRICT, WITHOUT ROWID;

CREATE TABLE report_durations (
	at         INTEGER NOT NULL,
	channel_id TEXT NOT NULL,
	kind       TEXT NOT NULL,
	user_id    TEXT NOT NULL,
	seconds    INTEGER NOT NULL
) STRICT;
CREATE INDEX report_durations_at ON report_durations (at, channel_id, kind, user_id, seconds);

-- report_dirty holds the slots a deletion changed (a deleted fact leaves no
-- updated_at to find); report_state the time the rollups are complete up to.
CREATE TABLE report_dirty (
	slot INTEGER PRIMARY KEY,
	seq  INTEGER NOT NULL
) STRICT;
CREATE INDEX report_dirty_seq ON report_dirty (seq);
CREATE TABLE report_state (
	name  TEXT PRIMARY KEY,
	value INTEGER NOT NULL
) STRICT;

-- Changed facts are found by their updated_at; a refresh reads the facts
-- of a few slots by time (messages by ts, conversations by creation,
-- customers' reopens by the inbound messages' creation); the agents report
-- reads outbound messages by time from the index alone.
CREATE INDEX messages_updated_at ON messages (updated_at);
CREATE INDEX messages_report_ts ON messages (ts, direction, sender_id, conversation_id);
CREATE INDEX messages_in_created_at ON messages (created_at) WHERE direction = 'in';
CREATE INDEX conversations_created_at ON conversations (created_at);
-- The agents report's last seen: the newest audit entry per user.
CREATE INDEX audit_log_actor_at ON audit_log (actor_id, at);

CREATE TRIGGER report_messages_deleted AFTER DELETE ON messages BEGIN
	INSERT OR REPLACE INTO report_dirty (slot, seq)
		SELECT s, (SELECT IFNULL(MAX(seq), 0) + 1 FROM report_dirty) FROM (
			SELECT OLD.ts / 900000000 * 900000000 AS s
			UNION SELECT OLD.created_at / 900000000 * 900000000
			UNION SELECT created_at / 900000000 * 900000000 FROM conversations WHERE id = OLD.conversation_id);
END;
CREATE TRIGGER report_conversations_deleted AFTER DELETE ON conversations BEGIN
	INSERT OR REPLACE INTO report_dirty (slot, seq)
		SELECT s, (SELECT IFNULL(MAX(seq), 0) + 1 FROM report_dirty) FROM (
			SELECT OLD.created_at / 900000000 * 900000000 AS s
			UNION SELECT at / 900000000 * 900000000 FROM audit_log
				WHERE object_type = 'conversation' AND object_id = OLD.id);
END;
