-- Pending sign-in steps and passkey ceremonies, shared by every process on
-- the database (docs/deploy.md, "Shared state"). key is a hash of the
-- client's challenge token (or derived from the user), never the token;
-- state is the WebAuthn ceremony's server state (JSON); expires_at is Unix
-- microseconds. Expired rows are pruned with the expired sessions.
CREATE TABLE auth_challenges (
    key        TEXT PRIMARY KEY,
    user_id    TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    attempts   INTEGER NOT NULL DEFAULT 0,
    expires_at INTEGER NOT NULL,
    state      BLOB
);
CREATE INDEX auth_challenges_expires ON auth_challenges (expires_at);
