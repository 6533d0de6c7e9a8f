-- Labels, saved views and the "waiting longest" order (label.go,
-- docs/architecture.md "Labels, filters and views"). Labels are business
-- words in plain text; name_key is the folded name (internal/fold), unique.
CREATE TABLE labels (
	id         TEXT PRIMARY KEY,
	name       TEXT NOT NULL,
	name_key   TEXT NOT NULL UNIQUE,
	color      TEXT NOT NULL,
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL
) STRICT;

CREATE TABLE conversation_labels (
	conversation_id TEXT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
	label_id        TEXT NOT NULL REFERENCES labels (id) ON DELETE CASCADE,
	added_at        INTEGER NOT NULL,
	PRIMARY KEY (conversation_id, label_id)
) STRICT, WITHOUT ROWID;
-- The label filter and its counts start from a label's conversations.
CREATE INDEX conversation_labels_label ON conversation_labels (label_id, conversation_id);

-- A user's saved list filters; filter is the JSON of switchboard.ViewFilter
-- (never a search text). name_key is the folded name, unique per user.
CREATE TABLE saved_views (
	id         TEXT PRIMARY KEY,
	user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	name       TEXT NOT NULL,
	name_key   TEXT NOT NULL,
	filter     TEXT NOT NULL,
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL,
	UNIQUE (user_id, name_key)
) STRICT;

-- waiting_since is the time of the oldest customer message no business
-- message has answered since (NULL when nobody waits): a customer message
-- sets it when unset, a business message clears it. Imported history,
-- reactions and system messages move nothing. The list's "waiting" order
-- reads it through the index on its key (NULL last).
ALTER TABLE conversations ADD COLUMN waiting_since INTEGER;

UPDATE conversations SET waiting_since = (SELECT MIN(m.ts) FROM messages m
	WHERE m.conversation_id = conversations.id AND m.direction = 'in' AND m.imported = 0
		AND m.type NOT IN ('reaction', 'system')
		AND m.ts > COALESCE((SELECT MAX(o.ts) FROM messages o
			WHERE o.conversation_id = conversations.id AND o.direction = 'out' AND o.imported = 0), -1));

CREATE INDEX conversations_waiting ON conversations (COALESCE(waiting_since, 9223372036854775807), id);
-- With a status filter (the inbox's usual open list) the wait order reads
-- only that status's part.
CREATE INDEX conversations_status_waiting ON conversations (status, COALESCE(waiting_since, 9223372036854775807), id);

CREATE TRIGGER conversation_waiting_in AFTER INSERT ON messages
	WHEN NEW.direction = 'in' AND NEW.imported = 0 AND NEW.type NOT IN ('reaction', 'system')
BEGIN
	UPDATE conversations SET waiting_since = NEW.ts WHERE id = NEW.conversation_id AND waiting_since IS NULL;
END;

CREATE TRIGGER conversation_waiting_out AFTER INSERT ON messages
	WHEN NEW.direction = 'out' AND NEW.imported = 0
BEGIN
	UPDATE conversations SET waiting_since = NULL WHERE id = NEW.conversation_id AND waiting_since IS NOT NULL;
END;
