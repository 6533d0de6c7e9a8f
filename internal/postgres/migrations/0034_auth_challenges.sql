-- Pending sign-in steps and passkey ceremonies, shared by every instance on
-- the database (docs/deploy.md, "Shared state"). key is a hash of the
-- client's challenge token (or derived from the user), never the token;
-- state is the WebAuthn ceremony's server state (JSON). Expired rows are
-- pruned with the expired sessions.
CREATE TABLE auth_challenges (
    key        text PRIMARY KEY,
    user_id    text NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    attempts   integer NOT NULL DEFAULT 0,
    expires_at timestamptz NOT NULL,
    state      bytea
);
CREATE INDEX auth_challenges_expires ON auth_challenges (expires_at);
