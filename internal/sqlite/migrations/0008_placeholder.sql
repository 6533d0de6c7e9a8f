-- Placeholder for migration 0008, which another branch of this round owns.
-- It keeps this branch's numbering gap-free; the integrator replaces it
-- with that branch's migration (or renumbers 0012_webhooks_out.sql) at merge.
SELECT 1;
