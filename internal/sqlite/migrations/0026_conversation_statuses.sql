-- 0026_conversation_statuses: open, pending, snoozed and resolved replace
-- open and closed (switchboard.ConversationStatus). "closed" becomes
-- "resolved"; pending and snoozed conversations are still their contact's
-- active one, so the one-per-contact index covers every status but
-- resolved. snoozed_until is when a snoozed conversation comes back (NULL:
-- when the customer writes).
--
-- SQLite cannot change a CHECK constraint in place, and rebuilding the
-- table would cascade through its foreign keys. The column is renamed,
-- a new one with the new CHECK added and filled, the old one dropped:
-- the triggers and the indexes that name it are dropped first and created
-- again as in 0024 and 0025.
DROP TRIGGER conversation_counts_inserted;
DROP TRIGGER conversation_counts_deleted;
DROP TRIGGER conversation_counts_moved;
DROP TRIGGER conversation_assignee_copied;
DROP TRIGGER conversation_assignees_follow;
DROP INDEX conversations_one_open;
DROP INDEX conversations_status_waiting;

ALTER TABLE conversations RENAME COLUMN status TO status_old;
ALTER TABLE conversations ADD COLUMN status TEXT NOT NULL DEFAULT 'open'
	CHECK (status IN ('open', 'pending', 'snoozed', 'resolved'));
UPDATE conversations SET status = CASE status_old WHEN 'closed' THEN 'resolved' ELSE 'open' END;
ALTER TABLE conversations DROP COLUMN status_old;
ALTER TABLE conversations ADD COLUMN snoozed_until INTEGER;

-- At most one active (not resolved) conversation per contact.
CREATE UNIQUE INDEX conversations_one_active ON conversations (contact_id) WHERE status <> 'resolved';
-- The wait order by status (0025), as it was.
CREATE INDEX conversations_status_waiting ON conversations (status, COALESCE(waiting_since, 9223372036854775807), id);
-- The snoozes to wake, by time.
CREATE INDEX conversations_snoozed_until ON conversations (snoozed_until) WHERE snoozed_until IS NOT NULL;

UPDATE conversation_counts SET status = 'resolved' WHERE status = 'closed';
UPDATE conversation_assignees SET status = 'resolved' WHERE status = 'closed';

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
