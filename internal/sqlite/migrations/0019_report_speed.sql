-- 0019_report_speed: the report rollups keep the first-response and
-- resolution durations packed per UTC day, channel, kind and user
-- (switchboard.ReportDaySet, encoded by internal/reports), so a yearly
-- report reads a few thousand rows instead of one per duration
-- (docs/reports.md, "Rollups"). The rollups are derived: dropping the mark
-- makes the next refresh rebuild them from the facts. The sets also hold,
-- per day and employee, the conversations they were assigned to, replied
-- in and closed (switchboard.ReportAgentPair), so the agents report counts
-- distinct conversations over a range from a few rows per day.
CREATE TABLE report_day_sets (
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
-- The agents report counts sign-ins over its range from this index alone.
CREATE INDEX audit_log_report_login ON audit_log (at, actor_id) WHERE action = 'session.login' AND outcome = 'success';
