-- User search compares folded text (internal/fold: Unicode case folding and
-- accent folding), the same on every store. SQLite's LIKE folds only ASCII
-- and PostgreSQL's lower() does no accent folding, so the store keeps the
-- folded login and name in search_key, written by Go whenever a user is
-- created or renamed, and matches the folded query against it. Existing
-- rows start empty and are filled by the store right after this migration
-- (and after a restore), since SQL cannot run the Go rule.
ALTER TABLE users ADD COLUMN search_key TEXT NOT NULL DEFAULT '';
