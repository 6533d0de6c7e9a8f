-- The login throttle's counters, shared by every instance on the database
-- (docs/deploy.md, "Shared state"). key is a hash of the throttle key.
CREATE TABLE login_throttle (
    key          text PRIMARY KEY,
    failures     integer NOT NULL,
    pending      integer NOT NULL,
    first_at     timestamptz NOT NULL,
    locked_until timestamptz
);
