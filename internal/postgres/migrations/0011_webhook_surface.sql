-- The rest of the webhook surface (issue 11).

-- How Meta bills an outbound message, from its statuses (JSON; not
-- customer data, so not sealed). Parked statuses keep theirs until the
-- message is known.
ALTER TABLE messages ADD COLUMN pricing TEXT;
ALTER TABLE pending_statuses ADD COLUMN pricing TEXT;
