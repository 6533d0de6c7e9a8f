-- Labels, saved views and the "waiting longest" order (label.go,
-- docs/architecture.md "Labels, filters and views"). Labels are business
-- words in plain text; name_key is the folded name (internal/fold), unique.
CREATE TABLE labels (
	id         text PRIMARY KEY,
	name       text NOT NULL,
	name_key   text NOT NULL UNIQUE,
	color      text NOT NULL,
	created_at timestamptz NOT NULL,
	updated_at timestamptz NOT NULL
);

CREATE TABLE conversation_labels (
	conversation_id text NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
	label_id        text NOT NULL REFERENCES labels (id) ON DELETE CASCADE,
	added_at        timestamptz NOT NULL,
	PRIMARY KEY (conversation_id, label_id)
);
-- The label filter and its counts start from a label's conversations.
CREATE INDEX conversation_labels_label ON conversation_labels (label_id, conversation_id);

-- A user's saved list filters; filter is the JSON of switchboard.ViewFilter
-- (never a search text). name_key is the folded name, unique per user.
CREATE TABLE saved_views (
	id         text PRIMARY KEY,
	user_id    text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	name       text NOT NULL,
	name_key   text NOT NULL,
	filter     text NOT NULL,
	created_at timestamptz NOT NULL,
	updated_at timestamptz NOT NULL,
	UNIQUE (user_id, name_key)
);

-- waiting_since is the time of the oldest customer message no business
-- message has answered since (NULL when nobody waits): a customer message
-- sets it when unset, a business message clears it. Imported history,
-- reactions and system messages move nothing. The list's "waiting" order
-- reads it through the index on its key (NULL last).
ALTER TABLE conversations ADD COLUMN waiting_since timestamptz;

UPDATE conversations SET waiting_since = (SELECT MIN(m.ts) FROM messages m
	WHERE m.conversation_id = conversations.id AND m.direction = 'in' AND NOT m.imported
		AND m.type NOT IN ('reaction', 'system')
		AND m.ts > COALESCE((SELECT MAX(o.ts) FROM messages o
			WHERE o.conversation_id = conversations.id AND o.direction = 'out' AND NOT o.imported), '-infinity'));

CREATE INDEX conversations_waiting ON conversations ((COALESCE(waiting_since, 'infinity'::timestamptz)), id);
-- With a status filter (the inbox's usual open list) the wait order reads
-- only that status's part.
CREATE INDEX conversations_status_waiting ON conversations (status, (COALESCE(waiting_since, 'infinity'::timestamptz)), id);

CREATE FUNCTION conversation_waiting() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF NEW.imported THEN
		RETURN NULL;
	END IF;
	IF NEW.direction = 'in' AND NEW.type NOT IN ('reaction', 'system') THEN
		UPDATE conversations SET waiting_since = NEW.ts WHERE id = NEW.conversation_id AND waiting_since IS NULL;
	ELSIF NEW.direction = 'out' THEN
		UPDATE conversations SET waiting_since = NULL WHERE id = NEW.conversation_id AND waiting_since IS NOT NULL;
	END IF;
	RETURN NULL;
END $$;

CREATE TRIGGER conversation_waiting AFTER INSERT ON messages FOR EACH ROW EXECUTE FUNCTION conversation_waiting();
