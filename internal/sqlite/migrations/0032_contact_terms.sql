-- Compact contact search terms (docs/security.md, "Search"; issue 18): a
-- term is the first 8 bytes of its HMAC as an integer (as in
-- message_terms), an entry names the contact by an integer search_id, and
-- the key (term, contact) is the table's only index. contacts.search_terms
-- keeps the contact's own terms, so replacing or deleting them finds the
-- entries without a second index or decrypting the contact; NULL means
-- "not indexed yet". The old terms cannot be converted in SQL (phone
-- numbers now give their 4- to 6-digit substrings, not every substring),
-- so the store's indexer indexes every contact again after this migration
-- (IndexMessages, contacts first); until it has, a search finds only the
-- contacts it has reached.
DROP TABLE contact_terms;
ALTER TABLE contacts ADD COLUMN search_id INTEGER;
ALTER TABLE contacts ADD COLUMN search_terms BLOB;
CREATE UNIQUE INDEX contacts_search_id ON contacts (search_id) WHERE search_id IS NOT NULL;
CREATE INDEX contacts_unindexed ON contacts (id) WHERE search_terms IS NULL;
CREATE TABLE contact_terms (
	term    INTEGER NOT NULL,
	contact INTEGER NOT NULL,
	PRIMARY KEY (term, contact)
) STRICT, WITHOUT ROWID;
