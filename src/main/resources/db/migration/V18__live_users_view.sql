-- The one definition of a live user for hand-written SQL: a user that is not soft-deleted (the
-- entity User applies the same rule through Hibernate's @SoftDelete). The credit hot path's
-- conditional updates, the holds and the job queries read and update users through this view, so
-- none of them can forget the filter. Simple enough to stay automatically updatable.
CREATE VIEW live_users AS
    SELECT id, email, external_id, display_name, balance, held, created_at, updated_at
    FROM users
    WHERE deleted_at IS NULL;

GRANT SELECT, UPDATE ON live_users TO ${runtime_role};
