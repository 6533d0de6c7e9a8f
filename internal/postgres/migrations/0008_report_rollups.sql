-- 0010_report_rollups: the report rollups (docs/reports.md, "Rollups").
-- report_figures holds counters per 15-minute UTC slot and channel;
-- report_durations the first-response and resolution durations with their
-- time, read through a covering index. Both are derived from the facts by
-- internal/reports and rebuilt exactly by `switchboard reports rebuild`.
CREATE TABLE report_figures (
	slot       timestamptz NOT NULL,
	channel_id text NOT NULL,
	metric     text NOT NULL,
	count      bigint NOT NULL,
	PRIMARY KEY (slot, channel_id, metric)
);

CREATE TABLE report_durations (
	at         timestamptz NOT NULL,
	channel_id text NOT NULL,
	kind       text NOT NULL,
	user_id    text NOT NULL,
	seconds    bigint NOT NULL
);
CREATE INDEX report_durations_at ON report_durations (at, channel_id, kind, user_id, seconds);

-- report_dirty holds the slots a deletion changed (a deleted fact leaves no
-- updated_at to find); report_state the time the rollups are complete up to.
CREATE TABLE report_dirty (
	slot timestamptz PRIMARY KEY,
	seq  bigint NOT NULL
);
CREATE SEQUENCE report_dirty_seq;
CREATE TABLE report_state (
	name  text PRIMARY KEY,
	value timestamptz NOT NULL
);

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

CREATE FUNCTION report_slot(t timestamptz) RETURNS timestamptz LANGUAGE sql IMMUTABLE AS
	$$ SELECT to_timestamp(floor(extract(epoch FROM t) / 900) * 900) $$;

CREATE FUNCTION report_mark_dirty() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF TG_TABLE_NAME = 'messages' THEN
		INSERT INTO report_dirty (slot, seq)
			SELECT s, nextval('report_dirty_seq') FROM (
				SELECT report_slot(OLD.ts) AS s
				UNION SELECT report_slot(OLD.created_at)
				UNION SELECT report_slot(c.created_at) FROM conversations c WHERE c.id = OLD.conversation_id) x
			ON CONFLICT (slot) DO UPDATE SET seq = excluded.seq;
	ELSE
		INSERT INTO report_dirty (slot, seq)
			SELECT s, nextval('report_dirty_seq') FROM (
				SELECT report_slot(OLD.created_at) AS s
				UNION SELECT report_slot(a.at) FROM audit_log a
					WHERE a.object_type = 'conversation' AND a.object_id = OLD.id) x
			ON CONFLICT (slot) DO UPDATE SET seq = excluded.seq;
	END IF;
	RETURN NULL;
END $$;
CREATE TRIGGER report_messages_deleted AFTER DELETE ON messages FOR EACH ROW EXECUTE FUNCTION report_mark_dirty();
CREATE TRIGGER report_conversations_deleted AFTER DELETE ON conversations FOR EACH ROW EXECUTE FUNCTION report_mark_dirty();
