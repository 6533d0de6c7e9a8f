-- Placeholder: 0019 belongs to another branch (txnevents was given 0020).
-- The lead drops this file when merging.
SELECT 1;
