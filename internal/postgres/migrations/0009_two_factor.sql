-- Two-factor sign-in (TOTP, RFC 6238). One row per user who started
-- enrolling; sign-in asks for a code only once confirmed. The secret is
-- sealed under a data key of its own (key_id), destroyed with the row.
-- last_step is the newest accepted 30-second step: a code is accepted once.
CREATE TABLE user_two_factor (
	user_id      text PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
	key_id       text NOT NULL,
	secret       bytea NOT NULL,
	confirmed    boolean NOT NULL DEFAULT false,
	last_step    bigint NOT NULL DEFAULT 0,
	created_at   timestamptz NOT NULL,
	confirmed_at timestamptz
);

-- Single-use recovery codes, stored as SHA-256 hashes; used_at marks a used one.
CREATE TABLE user_recovery_codes (
	user_id text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	hash    text NOT NULL,
	used_at timestamptz,
	PRIMARY KEY (user_id, hash)
);

-- Administrators can require two-factor sign-in per role.
ALTER TABLE roles ADD COLUMN require_two_factor boolean NOT NULL DEFAULT false;
