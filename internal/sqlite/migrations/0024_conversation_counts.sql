-- The inbox filter counts, kept incrementally (docs/architecture.md,
-- "Conversation counts"). conversations.assigned says whether a
-- conversation has an active assignee (switchboard.Conversation.Unassigned,
-- the rule of the "assigned" and "unassigned" filters); conversation_counts
-- holds how many conversations each (channel, status, assigned) bucket has.
-- Both are derived: triggers keep them in the transaction of every change
-- (a new or deleted conversation, a status change, an assignee added or
-- removed, a user deactivated or reactivated), and the store rebuilds them
-- after a load (RebuildConversationCounts). The dump leaves them out.
ALTER TABLE conversations ADD COLUMN assigned INTEGER NOT NULL DEFAULT 0;

UPDATE conversations SET assigned = EXISTS (SELECT 1 FROM conversation_assignees ca JOIN users u ON u.id = ca.user_id
	WHERE ca.conversation_id = conversations.id AND u.active = 1);

CREATE TABLE conversation_counts (
	channel_id TEXT NOT NULL,
	status     TEXT NOT NULL,
	assigned   INTEGER NOT NULL,
	n          INTEGER NOT NULL,
	PRIMARY KEY (channel_id, status, assigned)
) STRICT, WITHOUT ROWID;

INSERT INTO conversation_counts (channel_id, status, assigned, n)
	SELECT channel_id, status, assigned, count(*) FROM conversations GROUP BY channel_id, status, assigned;

CREATE TRIGGER conversation_counts_inserted AFTER INSERT ON conversations BEGIN
	INSERT INTO conversation_counts (channel_id, status, assigned, n) VALUES (NEW.channel_id, NEW.status, NEW.assigned, 1)
		ON CONFLICT (channel_id, status, assigned) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER conversation_counts_deleted AFTER DELETE ON conversations BEGIN
	UPDATE conversation_counts SET n = n - 1
		WHERE channel_id = OLD.channel_id AND status = OLD.status AND assigned = OLD.assigned;
END;

CREATE TRIGGER conversation_counts_moved AFTER UPDATE OF channel_id, status, assigned ON conversations
	WHEN OLD.channel_id IS NOT NEW.channel_id OR OLD.status IS NOT NEW.status OR OLD.assigned IS NOT NEW.assigned
BEGIN
	UPDATE conversation_counts SET n = n - 1
		WHERE channel_id = OLD.channel_id AND status = OLD.status AND assigned = OLD.assigned;
	INSERT INTO conversation_counts (channel_id, status, assigned, n) VALUES (NEW.channel_id, NEW.status, NEW.assigned, 1)
		ON CONFLICT (channel_id, status, assigned) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER conversation_assigned_added AFTER INSERT ON conversation_assignees BEGIN
	UPDATE conversations SET assigned = 1
		WHERE id = NEW.conversation_id AND assigned = 0 AND (SELECT active FROM users WHERE id = NEW.user_id) = 1;
END;

CREATE TRIGGER conversation_assigned_removed AFTER DELETE ON conversation_assignees BEGIN
	UPDATE conversations SET assigned = EXISTS (SELECT 1 FROM conversation_assignees ca JOIN users u ON u.id = ca.user_id
			WHERE ca.conversation_id = conversations.id AND u.active = 1)
		WHERE id = OLD.conversation_id AND assigned = 1;
END;

CREATE TRIGGER conversation_assigned_user AFTER UPDATE OF active ON users WHEN OLD.active IS NOT NEW.active BEGIN
	UPDATE conversations SET assigned = EXISTS (SELECT 1 FROM conversation_assignees ca JOIN users u ON u.id = ca.user_id
			WHERE ca.conversation_id = conversations.id AND u.active = 1)
		WHERE id IN (SELECT conversation_id FROM conversation_assignees WHERE user_id = NEW.id);
END;

-- Each assignment carries its conversation's channel, status and assigned
-- flag, kept by triggers too, so that a user's own counts ("mine", and all
-- of an employee's) read the index by user alone instead of looking up
-- each of their conversations.
ALTER TABLE conversation_assignees ADD COLUMN channel_id TEXT NOT NULL DEFAULT '';
ALTER TABLE conversation_assignees ADD COLUMN status TEXT NOT NULL DEFAULT '';
ALTER TABLE conversation_assignees ADD COLUMN assigned INTEGER NOT NULL DEFAULT 0;

UPDATE conversation_assignees SET (channel_id, status, assigned) =
	(SELECT c.channel_id, c.status, c.assigned FROM conversations c WHERE c.id = conversation_assignees.conversation_id);

DROP INDEX conversation_assignees_user_id;
CREATE INDEX conversation_assignees_user ON conversation_assignees (user_id, status, channel_id, assigned);

CREATE TRIGGER conversation_assignee_copied AFTER INSERT ON conversation_assignees BEGIN
	UPDATE conversation_assignees SET (channel_id, status, assigned) =
			(SELECT c.channel_id, c.status, c.assigned FROM conversations c WHERE c.id = NEW.conversation_id)
		WHERE conversation_id = NEW.conversation_id AND user_id = NEW.user_id;
END;

CREATE TRIGGER conversation_assignees_follow AFTER UPDATE OF channel_id, status, assigned ON conversations
	WHEN OLD.channel_id IS NOT NEW.channel_id OR OLD.status IS NOT NEW.status OR OLD.assigned IS NOT NEW.assigned
BEGIN
	UPDATE conversation_assignees SET channel_id = NEW.channel_id, status = NEW.status, assigned = NEW.assigned
		WHERE conversation_id = NEW.id;
END;
