-- API tokens and service accounts (issue 16). A token is stored only as
-- the SHA-256 of its secret; scopes are a JSON list of permissions. A
-- service account is a user without a password plus a row here.
CREATE TABLE service_accounts (
	user_id     TEXT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
	description TEXT NOT NULL DEFAULT '',
	created_by  TEXT NOT NULL DEFAULT '',
	created_at  INTEGER NOT NULL
) STRICT;

CREATE TABLE api_tokens (
	id              TEXT PRIMARY KEY,
	user_id         TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	name            TEXT NOT NULL,
	scopes          TEXT NOT NULL,
	hash            TEXT NOT NULL UNIQUE,
	created_by      TEXT NOT NULL DEFAULT '',
	created_at      INTEGER NOT NULL,
	expires_at      INTEGER,
	last_used_at    INTEGER,
	last_used_ip    TEXT NOT NULL DEFAULT '',
	revoked_at      INTEGER,
	rate_per_minute INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE INDEX api_tokens_user_id ON api_tokens (user_id, created_at);
