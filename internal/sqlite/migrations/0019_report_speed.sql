-- 0019_report_speed: the report rollups keep the first-response and
-- resolution durations packed per UTC day, channel, kind and user
-- (switchboard.ReportDurationSet, encoded by internal/reports), so a yearly
-- report reads a few thousand rows instead of one per duration
-- (docs/reports.md, "Rollups"). The rollups are derived: dropping the mark
-- makes the next refresh rebuild them from the facts.
CREATE TABLE report_duration_sets (
	day        INTEGER NOT NULL,
	channel_id TEXT NOT NULL,
	kind       TEXT NOT NULL,
	user_id    TEXT NOT NULL,
	data       BLOB NOT NULL,
	PRIMARY KEY (day, channel_id, kind, user_id)
) STRICT, WITHOUT ROWID;
DROP TABLE report_durations;
DELETE FROM report_figures;
DELETE FROM report_state WHERE name = 'mark';
