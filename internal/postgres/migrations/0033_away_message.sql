-- A channel's away message (issue 15, docs/automation.md): sent once per
-- conversation when a customer writes outside the business hours; ''
-- sends nothing.
ALTER TABLE channels ADD COLUMN away_message text NOT NULL DEFAULT '';
