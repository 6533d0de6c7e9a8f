-- Routing (issue 15, docs/routing.md): teams a conversation can be
-- assigned to as one, who is available, and each channel's automatic
-- assignment. name_key is the folded name (internal/fold), unique.
CREATE TABLE teams (
	id         TEXT PRIMARY KEY,
	name       TEXT NOT NULL,
	name_key   TEXT NOT NULL UNIQUE,
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL
);

CREATE TABLE team_members (
	team_id TEXT NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
	user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	PRIMARY KEY (team_id, user_id)
);
CREATE INDEX team_members_by_user ON team_members (user_id, team_id);

-- The team a conversation is assigned to, at most one.
CREATE TABLE conversation_teams (
	conversation_id TEXT PRIMARY KEY REFERENCES conversations(id) ON DELETE CASCADE,
	team_id         TEXT NOT NULL REFERENCES teams(id) ON DELETE CASCADE
);
CREATE INDEX conversation_teams_by_team ON conversation_teams (team_id, conversation_id);

-- A user's availability; a user without a row is offline.
CREATE TABLE user_availability (
	user_id      TEXT PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
	availability TEXT NOT NULL,
	updated_at   INTEGER NOT NULL
);

-- A channel's automatic assignment; a channel without a row has it off.
-- team_ids and role_ids are JSON arrays.
CREATE TABLE channel_routing (
	channel_id       TEXT PRIMARY KEY REFERENCES channels(id) ON DELETE CASCADE,
	mode             TEXT NOT NULL,
	team_ids         TEXT NOT NULL,
	role_ids         TEXT NOT NULL,
	capacity         INTEGER NOT NULL,
	reoffer_seconds  INTEGER NOT NULL,
	last_assigned_id TEXT NOT NULL DEFAULT '',
	updated_at       INTEGER NOT NULL
);
