-- Message search (docs/security.md, "Message search"): keyed blind-index
-- terms per word of a message's or a note's text. A term is the first 8
-- bytes of the HMAC of a folded word (or of its first four letters), as an
-- integer; msg is the row's search_id, positive for messages and negated
-- for notes, so one table and one index serve both. The primary key (term,
-- ts, msg) lets a search read one word's hits newest first (a backward
-- index scan) and check every further word by a point lookup.
-- search_terms keeps the row's own terms so that deleting or editing it
-- removes its index entries without decrypting it; NULL means "not indexed
-- yet" and is filled by the store's indexer (existing rows after this
-- migration, rows from a restore).
CREATE SEQUENCE message_search_ids;
CREATE SEQUENCE note_search_ids;
ALTER TABLE messages ADD COLUMN search_id BIGINT;
ALTER TABLE messages ALTER COLUMN search_id SET DEFAULT nextval('message_search_ids');
ALTER TABLE messages ADD COLUMN search_terms BYTEA;
-- conversation_id rides along so a search filters hits by conversation
-- without reading the message rows it drops.
CREATE UNIQUE INDEX messages_search_id ON messages (search_id) INCLUDE (conversation_id);
CREATE INDEX messages_unindexed ON messages (id) WHERE search_terms IS NULL;

ALTER TABLE thread_entries ADD COLUMN search_id BIGINT;
ALTER TABLE thread_entries ALTER COLUMN search_id SET DEFAULT nextval('note_search_ids');
ALTER TABLE thread_entries ADD COLUMN search_terms BYTEA;
CREATE UNIQUE INDEX thread_entries_search_id ON thread_entries (search_id) INCLUDE (conversation_id);
CREATE INDEX thread_entries_unindexed ON thread_entries (id) WHERE search_terms IS NULL;

CREATE TABLE message_terms (
	term BIGINT NOT NULL,
	ts   TIMESTAMPTZ NOT NULL,
	msg  BIGINT NOT NULL,
	PRIMARY KEY (term, ts, msg)
);
