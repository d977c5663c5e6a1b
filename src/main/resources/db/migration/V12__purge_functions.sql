-- Purge and anonymisation, the only ways rows leave or change in the append-only tables. They run
-- as the schema owner (SECURITY DEFINER, with a fixed search_path so a caller's objects cannot
-- stand in for ours) and only ${runtime_role} may call them.

-- The ledger stays append-only for everyone but the owner, who may scrub the free-text fields of
-- a purged user's rows and nothing else (amounts, balances, kinds and times stay as they were).
CREATE OR REPLACE FUNCTION credit_ledger_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    scrubbable CONSTANT text[] := ARRAY['reason', 'reference', 'idempotency_key', 'request_hash'];
BEGIN
    IF TG_OP = 'UPDATE'
       AND current_user = (SELECT pg_get_userbyid(relowner) FROM pg_class WHERE oid = TG_RELID)
       AND (to_jsonb(NEW) - scrubbable) = (to_jsonb(OLD) - scrubbable) THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'credit_ledger is append-only: % refused', TG_OP
        USING ERRCODE = 'restrict_violation';
END;
$$;

-- An audit row's values with only the non-personal fields left: the trail keeps that something
-- changed, and when, but not what it said.
CREATE FUNCTION audit_scrubbed(vals jsonb) RETURNS jsonb LANGUAGE sql IMMUTABLE SET search_path = public, pg_temp AS $$
    SELECT coalesce(jsonb_object_agg(key, value), '{}')
    FROM jsonb_each(vals)
    WHERE key = ANY (ARRAY['id', 'user_id', 'quiz_id', 'source_job_id', 'status', 'kind', 'cost', 'type', 'created_at',
                           'deleted_at', 'purged_at', 'published_at', 'started_at', 'finished_at'])
$$;

-- Users deleted before the cutoff become anonymised tombstones (their ledger still refers to
-- them): their jobs, holds, quizzes and insights go, the free text of their ledger rows (and of
-- the other side of their transfers) is scrubbed, and so is every audit row about them or about
-- what was purged, including the rows this purge itself writes. Quizzes and insights deleted
-- before the cutoff go too.
CREATE FUNCTION purge_deleted(deleted_before timestamptz)
    RETURNS TABLE (users integer, jobs integer, quizzes integer, insights integer)
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    ids         uuid[];
    quiz_ids    text[];
    insight_ids text[];
    job_ids     text[];
BEGIN
    SELECT coalesce(array_agg(u.id), '{}') INTO ids
    FROM (SELECT id FROM users WHERE deleted_at < deleted_before AND purged_at IS NULL
          ORDER BY deleted_at FOR UPDATE SKIP LOCKED) u;

    WITH gone AS (DELETE FROM insights i
                  WHERE i.user_id = ANY (ids) OR i.deleted_at < deleted_before
                     OR i.quiz_id IN (SELECT q.id FROM quizzes q WHERE q.deleted_at < deleted_before)
                  RETURNING i.id)
    SELECT coalesce(array_agg(id::text), '{}') INTO insight_ids FROM gone;
    WITH gone AS (DELETE FROM quizzes q WHERE q.user_id = ANY (ids) OR q.deleted_at < deleted_before RETURNING q.id)
    SELECT coalesce(array_agg(id::text), '{}') INTO quiz_ids FROM gone;
    DELETE FROM job_transitions t WHERE t.job_id IN (SELECT j.id FROM generation_jobs j WHERE j.user_id = ANY (ids));
    DELETE FROM credit_holds h WHERE h.user_id = ANY (ids);
    WITH gone AS (DELETE FROM generation_jobs j WHERE j.user_id = ANY (ids) RETURNING j.id)
    SELECT coalesce(array_agg(id::text), '{}') INTO job_ids FROM gone;

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
    WHERE a.user_id = ANY (ids)
       OR (a.entity = 'quiz' AND a.entity_id = ANY (quiz_ids))
       OR (a.entity = 'insight' AND a.entity_id = ANY (insight_ids))
       OR (a.entity = 'job' AND a.entity_id = ANY (job_ids));

    RETURN QUERY SELECT cardinality(ids), cardinality(job_ids), cardinality(quiz_ids), cardinality(insight_ids);
END;
$$;

-- Audit history older than its retention.
CREATE FUNCTION purge_audit_log(older_than timestamptz) RETURNS integer
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    removed integer;
BEGIN
    DELETE FROM audit_log WHERE at < older_than;
    GET DIAGNOSTICS removed = ROW_COUNT;
    RETURN removed;
END;
$$;

-- A refresh of one of our materialized views, for the maintenance role (before PostgreSQL 17
-- only the owner may refresh).
CREATE FUNCTION refresh_materialized_view(view_name text) RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_matviews WHERE schemaname = 'public' AND matviewname = view_name) THEN
        RAISE EXCEPTION 'not a materialized view of genledger: %', view_name USING ERRCODE = 'undefined_object';
    END IF;
    EXECUTE format('REFRESH MATERIALIZED VIEW CONCURRENTLY public.%I', view_name);
END;
$$;

REVOKE EXECUTE ON FUNCTION purge_deleted(timestamptz), purge_audit_log(timestamptz),
    refresh_materialized_view(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION purge_deleted(timestamptz), purge_audit_log(timestamptz) TO ${runtime_role};
GRANT EXECUTE ON FUNCTION refresh_materialized_view(text) TO ${maintenance_role};
