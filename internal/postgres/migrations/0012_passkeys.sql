-- Passkeys (WebAuthn credentials) as a second factor. Nothing here is
-- secret: public_key only verifies the authenticator's signatures. The
-- credential id is unique across users, so an assertion names one row.
-- transports is a comma-separated list of the browser's hints.
CREATE TABLE user_passkeys (
	id              text PRIMARY KEY,
	user_id         text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	name            text NOT NULL,
	credential_id   bytea NOT NULL,
	public_key      bytea NOT NULL,
	sign_count      bigint NOT NULL DEFAULT 0,
	aaguid          bytea NOT NULL,
	transports      text NOT NULL DEFAULT '',
	backup_eligible boolean NOT NULL DEFAULT false,
	backup_state    boolean NOT NULL DEFAULT false,
	created_at      timestamptz NOT NULL,
	last_used_at    timestamptz
);
CREATE UNIQUE INDEX user_passkeys_credential ON user_passkeys (credential_id);
CREATE INDEX user_passkeys_user ON user_passkeys (user_id, created_at);
