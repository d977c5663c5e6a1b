-- The database roles of genledger, created once per database server by a superuser (or a role
-- with CREATEROLE) before the first migration; safe to run again. Passwords are set apart from
-- this file (ALTER ROLE ... PASSWORD), so no secret lives in the repository.
--   genledger_owner        owns the schema; Flyway runs as it (quarkus.flyway.username)
--   genledger              the service and its admin pool: owns nothing, gets only the grants
--                          the migrations give it
--   genledger_maintenance  no login: VACUUM, ANALYZE and view refresh, nothing else; the
--                          service's role is a member, so its admin pool can run maintenance
DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'genledger_owner') THEN
        CREATE ROLE genledger_owner LOGIN;
    END IF;
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'genledger') THEN
        CREATE ROLE genledger LOGIN;
    END IF;
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'genledger_maintenance') THEN
        CREATE ROLE genledger_maintenance NOLOGIN;
    END IF;
END
$$;

-- Before PostgreSQL 15 every role may create objects in public; only the owner may here.
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
GRANT USAGE, CREATE ON SCHEMA public TO genledger_owner;
-- The owner keeps some objects in schemas of their own (balance_locks).
DO $$
BEGIN
    EXECUTE format('GRANT CREATE ON DATABASE %I TO genledger_owner', current_database());
END
$$;
GRANT USAGE ON SCHEMA public TO genledger, genledger_maintenance;
GRANT genledger_maintenance TO genledger;
