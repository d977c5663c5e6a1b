-- Migrations run as the schema owner; the service runs as ${runtime_role}, which owns nothing
-- and gets only what it needs. The ledger, the job history and the audit trail are insert and
-- read only: no UPDATE, DELETE, TRUNCATE or ALTER, so neither a bug nor a stolen service
-- password can rewrite them. Nothing is ever deleted at runtime: purge and anonymisation go
-- through SECURITY DEFINER functions owned by the owner (V12). The roles themselves come from
-- db/roles.sql, run once by a superuser.

GRANT SELECT, INSERT, UPDATE ON users, credit_holds, generation_jobs, quizzes, insights TO ${runtime_role};
GRANT SELECT, INSERT ON credit_ledger, job_transitions, audit_log TO ${runtime_role};
GRANT SELECT ON user_stats, ${flyway:table} TO ${runtime_role};
GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO ${runtime_role};

-- Tables of later migrations get the ordinary grants; an append-only one revokes what it must.
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO ${runtime_role};
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE ON SEQUENCES TO ${runtime_role};

-- Maintenance: PostgreSQL 17's MAINTAIN privilege lets ${maintenance_role} VACUUM, ANALYZE and
-- REFRESH without owning the tables. Before 17 only the owner may VACUUM; there autovacuum does
-- it and the view refresh goes through refresh_materialized_view() (V12).
DO $$
BEGIN
    IF current_setting('server_version_num')::int >= 170000 THEN
        EXECUTE 'GRANT MAINTAIN ON users, credit_ledger, credit_holds, generation_jobs, job_transitions, quizzes,'
                ' insights, audit_log, user_stats TO ${maintenance_role}';
        EXECUTE 'ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT MAINTAIN ON TABLES TO ${maintenance_role}';
    END IF;
END
$$;
