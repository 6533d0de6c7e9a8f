-- Coexistence with the WhatsApp Business app: who wrote a message
-- (customer, user, bot, business_app, system; '' for rows stored before,
-- read by direction), whether it was imported by a history sync, when it
-- was last edited and whether it was revoked (its content then removed);
-- and whether a channel's number is a coexistence number (paced at 20
-- messages per second).
ALTER TABLE messages ADD COLUMN author TEXT NOT NULL DEFAULT '';
ALTER TABLE messages ADD COLUMN imported INTEGER NOT NULL DEFAULT 0;
ALTER TABLE messages ADD COLUMN edited_at INTEGER;
ALTER TABLE messages ADD COLUMN revoked INTEGER NOT NULL DEFAULT 0;
ALTER TABLE channels ADD COLUMN coexistence INTEGER NOT NULL DEFAULT 0;
