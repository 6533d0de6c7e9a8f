-- Live events across instances are PostgreSQL's (live_events there): a
-- SQLite installation is one instance and keeps them in memory. This
-- migration keeps the two stores' numbering in step.
SELECT 1;
