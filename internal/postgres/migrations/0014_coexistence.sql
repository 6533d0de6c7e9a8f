-- Coexistence with the WhatsApp Business app: who wrote a message
-- (customer, user, bot, business_app, system; '' for rows stored before,
-- read by direction), whether it was imported by a history sync, when it
-- was last edited and whether it was revoked (its content then removed);
-- and whether a channel's number is a coexistence number (paced at 20
-- messages per second).
ALTER TABLE messages ADD COLUMN author text NOT NULL DEFAULT '';
ALTER TABLE messages ADD COLUMN imported boolean NOT NULL DEFAULT false;
ALTER TABLE messages ADD COLUMN edited_at timestamptz;
ALTER TABLE messages ADD COLUMN revoked boolean NOT NULL DEFAULT false;
ALTER TABLE channels ADD COLUMN coexistence boolean NOT NULL DEFAULT false;
