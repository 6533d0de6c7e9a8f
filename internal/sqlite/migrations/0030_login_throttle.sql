-- The login throttle's counters, shared by every process on the database
-- (docs/deploy.md, "Shared state"). key is a hash of the throttle key;
-- times are Unix microseconds, locked_until NULL when not locked.
CREATE TABLE login_throttle (
    key          TEXT PRIMARY KEY,
    failures     INTEGER NOT NULL,
    pending      INTEGER NOT NULL,
    first_at     INTEGER NOT NULL,
    locked_until INTEGER
);
