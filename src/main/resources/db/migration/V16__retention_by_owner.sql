-- The purge of V12's purge_deleted, split into one function per owner of the rows, so that each
-- feature contributes its own retention step (db.RetentionStep) and the runner calls them in one
-- transaction: insights, quizzes, jobs, then users. What belongs to a purgeable user (deleted
-- before the cutoff, not yet purged) goes in the steps before the user's own anonymisation. Each
-- function scrubs the audit rows about what it removed, including those its own deletes wrote.

-- Users deleted before the cutoff and not purged yet, locked; a user a restore holds is skipped,
-- by every step alike.
CREATE FUNCTION purgeable_users(deleted_before timestamptz) RETURNS SETOF uuid
    LANGUAGE sql SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT id FROM users WHERE deleted_at < deleted_before AND purged_at IS NULL
    ORDER BY deleted_at FOR UPDATE SKIP LOCKED
$$;

CREATE FUNCTION scrub_audit(kind text, ids text[]) RETURNS void
    LANGUAGE sql SECURITY DEFINER SET search_path = public, pg_temp AS $$
    UPDATE audit_log a SET client_ip = NULL, user_agent = NULL,
                           old_values = CASE WHEN a.old_values IS NOT NULL THEN audit_scrubbed(a.old_values) END,
                           new_values = CASE WHEN a.new_values IS NOT NULL THEN audit_scrubbed(a.new_values) END
    WHERE a.entity = kind AND a.entity_id = ANY (ids)
$$;

CREATE FUNCTION purge_insights(deleted_before timestamptz) RETURNS integer
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    gone_ids text[];
BEGIN
    WITH gone AS (DELETE FROM insights i
                  WHERE i.user_id IN (SELECT purgeable_users(deleted_before)) OR i.deleted_at < deleted_before
                     OR i.quiz_id IN (SELECT q.id FROM quizzes q WHERE q.deleted_at < deleted_before)
                  RETURNING i.id)
    SELECT coalesce(array_agg(id::text), '{}') INTO gone_ids FROM gone;
    PERFORM scrub_audit('insight', gone_ids);
    RETURN cardinality(gone_ids);
END;
$$;

CREATE FUNCTION purge_quizzes(deleted_before timestamptz) RETURNS integer
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    gone_ids text[];
BEGIN
    WITH gone AS (DELETE FROM quizzes q
                  WHERE q.user_id IN (SELECT purgeable_users(deleted_before)) OR q.deleted_at < deleted_before
                  RETURNING q.id)
    SELECT coalesce(array_agg(id::text), '{}') INTO gone_ids FROM gone;
    PERFORM scrub_audit('quiz', gone_ids);
    RETURN cardinality(gone_ids);
END;
$$;

-- A purgeable user's jobs, with their transitions and holds.
CREATE FUNCTION purge_user_jobs(deleted_before timestamptz) RETURNS integer
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    ids      uuid[] := ARRAY(SELECT purgeable_users(deleted_before));
    gone_ids text[];
BEGIN
    DELETE FROM job_transitions t WHERE t.job_id IN (SELECT j.id FROM generation_jobs j WHERE j.user_id = ANY (ids));
    DELETE FROM credit_holds h WHERE h.user_id = ANY (ids);
    WITH gone AS (DELETE FROM generation_jobs j WHERE j.user_id = ANY (ids) RETURNING j.id)
    SELECT coalesce(array_agg(id::text), '{}') INTO gone_ids FROM gone;
    PERFORM scrub_audit('job', gone_ids);
    RETURN cardinality(gone_ids);
END;
$$;

-- Purgeable users become anonymised tombstones (their ledger still refers to them): the free text
-- of their ledger rows (and of the other side of their transfers) is scrubbed, and so is every
-- audit row about them.
CREATE FUNCTION purge_users(deleted_before timestamptz) RETURNS integer
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    ids uuid[] := ARRAY(SELECT purgeable_users(deleted_before));
BEGIN
    UPDATE users u SET email = 'purged-' || u.id || '@purged.invalid', external_id = NULL, display_name = NULL,
                       purged_at = now()
    WHERE u.id = ANY (ids);

    UPDATE credit_ledger l SET reason = 'purged', reference = NULL, idempotency_key = NULL, request_hash = NULL
    WHERE l.user_id = ANY (ids)
       OR l.transfer_id IN (SELECT t.transfer_id FROM credit_ledger t
                            WHERE t.user_id = ANY (ids) AND t.transfer_id IS NOT NULL);

    UPDATE audit_log a SET client_ip = NULL, user_agent = NULL,
                           old_values = CASE WHEN a.old_values IS NOT NULL THEN audit_scrubbed(a.old_values) END,
                           new_values = CASE WHEN a.new_values IS NOT NULL THEN audit_scrubbed(a.new_values) END
    WHERE a.user_id = ANY (ids);

    RETURN cardinality(ids);
END;
$$;

DROP FUNCTION purge_deleted(timestamptz);

REVOKE EXECUTE ON FUNCTION purgeable_users(timestamptz), scrub_audit(text, text[]), purge_insights(timestamptz),
    purge_quizzes(timestamptz), purge_user_jobs(timestamptz), purge_users(timestamptz) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION purge_insights(timestamptz), purge_quizzes(timestamptz), purge_user_jobs(timestamptz),
    purge_users(timestamptz) TO ${runtime_role};
