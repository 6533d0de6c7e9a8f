-- 0011_business_hours: a channel's business hours, and what the reports
-- need to measure response and resolution times within them and to count
-- the open backlog (docs/reports.md).
ALTER TABLE channels ADD COLUMN business_hours TEXT;

-- A duration keeps when it started, so the business time within it is
-- measured by the channel's hours at report time.
ALTER TABLE report_durations ADD COLUMN start_at INTEGER NOT NULL DEFAULT 0;
DROP INDEX report_durations_at;
CREATE INDEX report_durations_at ON report_durations (at, channel_id, kind, user_id, seconds, start_at);

-- The backlog sums a few metrics over everything before a report's range.
CREATE INDEX report_figures_metric ON report_figures (metric, slot, channel_id, count);

-- The rollups written before have no start times: drop them and the mark,
-- so the first refresh rebuilds them from the facts.
DELETE FROM report_durations;
DELETE FROM report_figures;
DELETE FROM report_state WHERE name = 'mark';
