-- Since 2026 WhatsApp names a customer by a business-scoped user id (BSUID)
-- and, for a customer who adopted a username, possibly by nothing else. A
-- contact is found by its BSUID's blind index (user_id_hash) when a message
-- carries one, else by wa_id_hash, which holds the phone number's blind
-- index, or the BSUID's (storecrypt.ContactKey) while no phone number is
-- known. BSUID, parent BSUID and username are sealed like the phone number;
-- the username is searchable through contact_terms. Existing contacts keep
-- their rows: the new columns are NULL until a message brings them.
ALTER TABLE contacts ADD COLUMN user_id_hash BLOB;
ALTER TABLE contacts ADD COLUMN user_id BLOB;
ALTER TABLE contacts ADD COLUMN parent_user_id BLOB;
ALTER TABLE contacts ADD COLUMN username BLOB;
CREATE UNIQUE INDEX contacts_channel_user_id_hash ON contacts (channel_id, user_id_hash);

-- A webhook event whose content cannot be applied is not dropped: it stays
-- in webhook_inbox with the reason and is no longer claimed until an
-- administrator replays it (GET /api/v1/dead-letters).
ALTER TABLE webhook_inbox ADD COLUMN dead_reason TEXT;
ALTER TABLE webhook_inbox ADD COLUMN dead_at INTEGER;
