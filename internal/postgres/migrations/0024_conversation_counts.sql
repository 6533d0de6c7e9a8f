-- The inbox filter counts, kept incrementally (docs/architecture.md,
-- "Conversation counts"). conversations.assigned says whether a
-- conversation has an active assignee (switchboard.Conversation.Unassigned,
-- the rule of the "assigned" and "unassigned" filters); conversation_counts
-- holds how many conversations each (channel, status, assigned) bucket has.
-- Both are derived: triggers keep them in the transaction of every change
-- (a new or deleted conversation, a status change, an assignee added or
-- removed, a user deactivated or reactivated), and the store rebuilds them
-- after a load (RebuildConversationCounts). The dump leaves them out.
ALTER TABLE conversations ADD COLUMN assigned boolean NOT NULL DEFAULT false;

UPDATE conversations c SET assigned = EXISTS (SELECT 1 FROM conversation_assignees ca JOIN users u ON u.id = ca.user_id
	WHERE ca.conversation_id = c.id AND u.active);

CREATE TABLE conversation_counts (
	channel_id text NOT NULL,
	status     text NOT NULL,
	assigned   boolean NOT NULL,
	n          bigint NOT NULL,
	PRIMARY KEY (channel_id, status, assigned)
);

INSERT INTO conversation_counts (channel_id, status, assigned, n)
	SELECT channel_id, status, assigned, count(*) FROM conversations GROUP BY channel_id, status, assigned;

-- A move between buckets locks both bucket rows first, in key order:
-- otherwise an assignment (unassigned -> assigned) and an unassignment
-- (assigned -> unassigned) on one channel at the same moment take the two
-- rows in opposite orders and PostgreSQL aborts one of them as a deadlock.
CREATE FUNCTION conversation_counts_track() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP = 'UPDATE' THEN
		INSERT INTO conversation_counts (channel_id, status, assigned, n) VALUES (NEW.channel_id, NEW.status, NEW.assigned, 0)
			ON CONFLICT (channel_id, status, assigned) DO NOTHING;
		PERFORM 1 FROM conversation_counts
			WHERE (channel_id, status, assigned) IN ((OLD.channel_id, OLD.status, OLD.assigned), (NEW.channel_id, NEW.status, NEW.assigned))
			ORDER BY channel_id, status, assigned FOR UPDATE;
	END IF;
	IF TG_OP IN ('UPDATE', 'DELETE') THEN
		UPDATE conversation_counts SET n = n - 1
			WHERE channel_id = OLD.channel_id AND status = OLD.status AND assigned = OLD.assigned;
	END IF;
	IF TG_OP IN ('UPDATE', 'INSERT') THEN
		INSERT INTO conversation_counts (channel_id, status, assigned, n) VALUES (NEW.channel_id, NEW.status, NEW.assigned, 1)
			ON CONFLICT (channel_id, status, assigned) DO UPDATE SET n = conversation_counts.n + 1;
	END IF;
	RETURN NULL;
END $$;

CREATE TRIGGER conversation_counts_inserted AFTER INSERT ON conversations
	FOR EACH ROW EXECUTE FUNCTION conversation_counts_track();
CREATE TRIGGER conversation_counts_deleted AFTER DELETE ON conversations
	FOR EACH ROW EXECUTE FUNCTION conversation_counts_track();
CREATE TRIGGER conversation_counts_moved AFTER UPDATE OF channel_id, status, assigned ON conversations
	FOR EACH ROW WHEN (OLD.channel_id IS DISTINCT FROM NEW.channel_id OR OLD.status IS DISTINCT FROM NEW.status
		OR OLD.assigned IS DISTINCT FROM NEW.assigned)
	EXECUTE FUNCTION conversation_counts_track();

CREATE FUNCTION conversation_assigned_track() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF TG_TABLE_NAME = 'users' THEN
		UPDATE conversations c SET assigned = EXISTS (SELECT 1 FROM conversation_assignees ca JOIN users u ON u.id = ca.user_id
				WHERE ca.conversation_id = c.id AND u.active)
			WHERE c.id IN (SELECT conversation_id FROM conversation_assignees WHERE user_id = NEW.id);
	ELSIF TG_OP = 'INSERT' THEN
		UPDATE conversations SET assigned = true
			WHERE id = NEW.conversation_id AND NOT assigned AND (SELECT active FROM users WHERE id = NEW.user_id);
	ELSE
		UPDATE conversations c SET assigned = EXISTS (SELECT 1 FROM conversation_assignees ca JOIN users u ON u.id = ca.user_id
				WHERE ca.conversation_id = c.id AND u.active)
			WHERE c.id = OLD.conversation_id AND c.assigned;
	END IF;
	RETURN NULL;
END $$;

CREATE TRIGGER conversation_assigned_added AFTER INSERT ON conversation_assignees
	FOR EACH ROW EXECUTE FUNCTION conversation_assigned_track();
CREATE TRIGGER conversation_assigned_removed AFTER DELETE ON conversation_assignees
	FOR EACH ROW EXECUTE FUNCTION conversation_assigned_track();
CREATE TRIGGER conversation_assigned_user AFTER UPDATE OF active ON users
	FOR EACH ROW WHEN (OLD.active IS DISTINCT FROM NEW.active) EXECUTE FUNCTION conversation_assigned_track();

-- Each assignment carries its conversation's channel, status and assigned
-- flag, kept by triggers too, so that a user's own counts ("mine", and all
-- of an employee's) read the index by user alone instead of looking up
-- each of their conversations.
ALTER TABLE conversation_assignees ADD COLUMN channel_id text NOT NULL DEFAULT '';
ALTER TABLE conversation_assignees ADD COLUMN status text NOT NULL DEFAULT '';
ALTER TABLE conversation_assignees ADD COLUMN assigned boolean NOT NULL DEFAULT false;

UPDATE conversation_assignees ca SET channel_id = c.channel_id, status = c.status, assigned = c.assigned
	FROM conversations c WHERE c.id = ca.conversation_id;

DROP INDEX conversation_assignees_user_id;
CREATE INDEX conversation_assignees_user ON conversation_assignees (user_id, status, channel_id, assigned);

CREATE FUNCTION conversation_assignee_copy() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	SELECT c.channel_id, c.status, c.assigned INTO NEW.channel_id, NEW.status, NEW.assigned
		FROM conversations c WHERE c.id = NEW.conversation_id;
	RETURN NEW;
END $$;
CREATE TRIGGER conversation_assignee_copied BEFORE INSERT ON conversation_assignees
	FOR EACH ROW EXECUTE FUNCTION conversation_assignee_copy();

CREATE FUNCTION conversation_assignees_follow() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	UPDATE conversation_assignees SET channel_id = NEW.channel_id, status = NEW.status, assigned = NEW.assigned
		WHERE conversation_id = NEW.id;
	RETURN NULL;
END $$;
CREATE TRIGGER conversation_assignees_follow AFTER UPDATE OF channel_id, status, assigned ON conversations
	FOR EACH ROW WHEN (OLD.channel_id IS DISTINCT FROM NEW.channel_id OR OLD.status IS DISTINCT FROM NEW.status
		OR OLD.assigned IS DISTINCT FROM NEW.assigned)
	EXECUTE FUNCTION conversation_assignees_follow();
