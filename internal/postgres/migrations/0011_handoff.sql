-- Bot agents and hand-off to people (docs/automation.md): a conversation's
-- handler and last hand-off, a channel's bot agent, the bot flag of a
-- service account, and suggested replies. The hand-off's reason and
-- summary and a suggestion's text and rationale are sealed under the
-- conversation's data key.
ALTER TABLE conversations ADD COLUMN handler TEXT NOT NULL DEFAULT 'human';
ALTER TABLE conversations ADD COLUMN handoff_note BYTEA;
ALTER TABLE conversations ADD COLUMN handoff_at TIMESTAMPTZ;
ALTER TABLE conversations ADD COLUMN handoff_by TEXT NOT NULL DEFAULT '';
ALTER TABLE channels ADD COLUMN bot_agent_id TEXT NOT NULL DEFAULT '';
ALTER TABLE service_accounts ADD COLUMN bot BOOLEAN NOT NULL DEFAULT false;

CREATE TABLE suggestions (
	id              TEXT PRIMARY KEY,
	conversation_id TEXT NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
	author_id       TEXT NOT NULL,
	key_id          TEXT NOT NULL,
	body            BYTEA NOT NULL, -- sealed JSON {text, rationale}
	state           TEXT NOT NULL,
	decided_by      TEXT NOT NULL DEFAULT '',
	message_id      TEXT NOT NULL DEFAULT '',
	created_at      TIMESTAMPTZ NOT NULL,
	updated_at      TIMESTAMPTZ NOT NULL
);
CREATE INDEX suggestions_conversation ON suggestions (conversation_id, created_at);
