-- API tokens and service accounts (issue 16). A token is stored only as
-- the SHA-256 of its secret; scopes are a JSON list of permissions. A
-- service account is a user without a password plus a row here.
CREATE TABLE service_accounts (
	user_id     text PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
	description text NOT NULL DEFAULT '',
	created_by  text NOT NULL DEFAULT '',
	created_at  timestamptz NOT NULL
);

CREATE TABLE api_tokens (
	id              text PRIMARY KEY,
	user_id         text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	name            text NOT NULL,
	scopes          text NOT NULL,
	hash            text NOT NULL UNIQUE,
	created_by      text NOT NULL DEFAULT '',
	created_at      timestamptz NOT NULL,
	expires_at      timestamptz,
	last_used_at    timestamptz,
	last_used_ip    text NOT NULL DEFAULT '',
	revoked_at      timestamptz,
	rate_per_minute integer NOT NULL DEFAULT 0
);
CREATE INDEX api_tokens_user_id ON api_tokens (user_id, created_at);
