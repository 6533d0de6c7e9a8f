-- 0003_privacy: the GDPR erasure register, and the privacy.manage
-- permission for the built-in administrator (built-in roles are only
-- inserted when missing, so existing ones are brought up to date here).
--
-- erasures lists every erased contact by its (random) id, with the time and
-- the user who erased it; never the erased data. It is part of every backup
-- made afterwards, and a restore re-applies it (docs/gdpr.md).
CREATE TABLE erasures (
	contact_id text PRIMARY KEY,
	erased_at  timestamptz NOT NULL,
	actor_id   text NOT NULL DEFAULT ''
);

UPDATE roles SET permissions = (permissions::jsonb || '["privacy.manage"]'::jsonb)::text
WHERE id = 'admin' AND NOT (permissions::jsonb @> '["privacy.manage"]'::jsonb);
