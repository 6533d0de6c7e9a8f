-- Hand-off rules per channel (docs/automation.md, "Hand-off rules"): hand
-- conversations to people during the channel's business hours, and after
-- the bot failed handoff_bot_failures times (0: off; 1 keeps the earlier
-- behaviour, a refused bot message hands off at once); and each
-- conversation's count of the bot's failures since the bot took it.
ALTER TABLE channels ADD COLUMN handoff_business_hours boolean NOT NULL DEFAULT false;
ALTER TABLE channels ADD COLUMN handoff_bot_failures integer NOT NULL DEFAULT 1;
ALTER TABLE conversations ADD COLUMN bot_failures integer NOT NULL DEFAULT 0;
