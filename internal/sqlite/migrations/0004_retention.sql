-- 0004_retention: per-channel retention. A scheduled job deletes the
-- channel's messages and media older than retention_days days, then the
-- conversations and contacts left empty (docs/gdpr.md). 0 keeps everything.
ALTER TABLE channels ADD COLUMN retention_days INTEGER NOT NULL DEFAULT 0 CHECK (retention_days >= 0);
