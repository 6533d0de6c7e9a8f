-- A contact the business blocked on WhatsApp (Block Users API): when and
-- by which user. NULL blocked_at means not blocked. Who was blocked is the
-- contact row itself, sealed as before; the user id is not customer data.
ALTER TABLE contacts ADD COLUMN blocked_at timestamptz;
ALTER TABLE contacts ADD COLUMN blocked_by text;
