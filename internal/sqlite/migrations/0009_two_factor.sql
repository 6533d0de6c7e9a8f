-- Two-factor sign-in (TOTP, RFC 6238). One row per user who started
-- enrolling; sign-in asks for a code only once confirmed = 1. The secret is
-- sealed under a data key of its own (key_id), destroyed with the row, so
-- a disabled or reset enrolment cannot be recovered from old pages.
-- last_step is the newest accepted 30-second step: a code is accepted once.
CREATE TABLE user_two_factor (
	user_id      TEXT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
	key_id       TEXT NOT NULL,
	secret       BLOB NOT NULL,
	confirmed    INTEGER NOT NULL DEFAULT 0,
	last_step    INTEGER NOT NULL DEFAULT 0,
	created_at   INTEGER NOT NULL,
	confirmed_at INTEGER
);

-- Single-use recovery codes, stored as SHA-256 hashes; used_at marks a used one.
CREATE TABLE user_recovery_codes (
	user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	hash    TEXT NOT NULL,
	used_at INTEGER,
	PRIMARY KEY (user_id, hash)
);

-- Administrators can require two-factor sign-in per role.
ALTER TABLE roles ADD COLUMN require_two_factor INTEGER NOT NULL DEFAULT 0;
