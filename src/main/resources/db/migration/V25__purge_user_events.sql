-- A purged user's events go with the rest of their data: their bodies carry the user's email,
-- names and external id, which the purge must not leave behind (their deliveries cascade).
CREATE FUNCTION purge_user_events(deleted_before timestamptz) RETURNS integer
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    removed integer;
BEGIN
    DELETE FROM events e WHERE e.user_id IN (SELECT purgeable_users(deleted_before));
    GET DIAGNOSTICS removed = ROW_COUNT;
    RETURN removed;
END;
$$;

REVOKE EXECUTE ON FUNCTION purge_user_events(timestamptz) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION purge_user_events(timestamptz) TO ${runtime_role};
