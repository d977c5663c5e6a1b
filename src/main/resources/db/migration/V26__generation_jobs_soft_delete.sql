-- Jobs are soft-deleted with their user (stamped with the user's deletion time, cleared by the
-- user's restore), so that Hibernate's @SoftDelete hides them instead of a join on live users in
-- every query. Jobs of users deleted before this migration get their user's time now.
ALTER TABLE generation_jobs ADD COLUMN deleted_at timestamptz;

UPDATE generation_jobs j SET deleted_at = u.deleted_at
FROM users u
WHERE u.id = j.user_id AND u.deleted_at IS NOT NULL;
