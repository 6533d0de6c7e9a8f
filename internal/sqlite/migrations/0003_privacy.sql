-- 0003_privacy: the GDPR erasure register.
--
-- erasures lists every erased contact by its (random) id, with the time and
-- the user who erased it; never the erased data. It is part of every backup
-- made afterwards, and a restore re-applies it (docs/gdpr.md).
CREATE TABLE erasures (
	contact_id TEXT PRIMARY KEY,
	erased_at  INTEGER NOT NULL,
	actor_id   TEXT NOT NULL DEFAULT ''
) STRICT;
