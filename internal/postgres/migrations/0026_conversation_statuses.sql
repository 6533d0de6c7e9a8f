-- 0026_conversation_statuses: open, pending, snoozed and resolved replace
-- open and closed (switchboard.ConversationStatus). "closed" becomes
-- "resolved"; pending and snoozed conversations are still their contact's
-- active one, so the one-per-contact index covers every status but
-- resolved. snoozed_until is when a snoozed conversation comes back (NULL:
-- when the customer writes). The counts triggers of 0024 move the buckets.
DROP INDEX conversations_one_open;
ALTER TABLE conversations DROP CONSTRAINT conversations_status_check;
UPDATE conversations SET status = 'resolved' WHERE status = 'closed';
ALTER TABLE conversations ADD CONSTRAINT conversations_status_check
	CHECK (status IN ('open', 'pending', 'snoozed', 'resolved'));
ALTER TABLE conversations ADD COLUMN snoozed_until timestamptz;

-- At most one active (not resolved) conversation per contact.
CREATE UNIQUE INDEX conversations_one_active ON conversations (contact_id) WHERE status <> 'resolved';
-- The snoozes to wake, by time.
CREATE INDEX conversations_snoozed_until ON conversations (snoozed_until) WHERE snoozed_until IS NOT NULL;
