-- Passkeys (WebAuthn credentials) as a second factor. Nothing here is
-- secret: public_key only verifies the authenticator's signatures. The
-- credential id is unique across users, so an assertion names one row.
-- transports is a comma-separated list of the browser's hints.
CREATE TABLE user_passkeys (
	id              TEXT PRIMARY KEY,
	user_id         TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	name            TEXT NOT NULL,
	credential_id   BLOB NOT NULL,
	public_key      BLOB NOT NULL,
	sign_count      INTEGER NOT NULL DEFAULT 0,
	aaguid          BLOB NOT NULL,
	transports      TEXT NOT NULL DEFAULT '',
	backup_eligible INTEGER NOT NULL DEFAULT 0,
	backup_state    INTEGER NOT NULL DEFAULT 0,
	created_at      INTEGER NOT NULL,
	last_used_at    INTEGER
);
CREATE UNIQUE INDEX user_passkeys_credential ON user_passkeys (credential_id);
CREATE INDEX user_passkeys_user ON user_passkeys (user_id, created_at);
