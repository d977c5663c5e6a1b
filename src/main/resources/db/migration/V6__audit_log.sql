-- Audit history. Triggers record every change to users, generation_jobs, quizzes and insights,
-- whatever wrote it (entity, native SQL, bulk statement, or a person at psql), with the changed
-- fields' old and new values. Who and from where comes from transaction-local settings that
-- the service sets at the start of each write transaction (audit.Auditor); a change made
-- without them is attributed to the database role. Admin actions are inserted directly.

CREATE TABLE audit_log (
    id          bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at          timestamptz NOT NULL DEFAULT clock_timestamp(),
    actor       text        NOT NULL,
    client_ip   text,
    user_agent  text,
    request_id  text,
    entity      text        NOT NULL,
    entity_id   text        NOT NULL,
    user_id     uuid,
    action      text        NOT NULL,
    old_values  jsonb,
    new_values  jsonb
);

CREATE INDEX audit_log_at_idx ON audit_log (at);
CREATE INDEX audit_log_user_idx ON audit_log (user_id, id DESC);
CREATE INDEX audit_log_entity_idx ON audit_log (entity, entity_id, id DESC);

-- TG_ARGV[0]: the entity name recorded; TG_ARGV[1..]: columns whose changes are not audited here
-- (balance and held are audited by the credit ledger and credit_holds; updated_at only echoes
-- the change itself).
CREATE FUNCTION audit_row_change() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    ignored  text[] := TG_ARGV[1:];
    old_row  jsonb;
    new_row  jsonb;
    old_vals jsonb := '{}';
    new_vals jsonb := '{}';
    k        text;
    act      text;
    row_data jsonb;
BEGIN
    IF TG_OP = 'INSERT' THEN
        new_row := to_jsonb(NEW);
        new_vals := new_row - ignored;
        old_vals := NULL;
        act := 'CREATE';
    ELSIF TG_OP = 'DELETE' THEN
        old_row := to_jsonb(OLD);
        old_vals := old_row - ignored;
        new_vals := NULL;
        act := 'PURGE';
    ELSE
        old_row := to_jsonb(OLD);
        new_row := to_jsonb(NEW);
        FOR k IN SELECT jsonb_object_keys(new_row) LOOP
            IF NOT (k = ANY (ignored)) AND (old_row -> k) IS DISTINCT FROM (new_row -> k) THEN
                old_vals := old_vals || jsonb_build_object(k, old_row -> k);
                new_vals := new_vals || jsonb_build_object(k, new_row -> k);
            END IF;
        END LOOP;
        IF new_vals = '{}' THEN
            RETURN NULL;
        END IF;
        act := CASE
            WHEN new_vals ? 'purged_at' THEN 'PURGE'
            WHEN old_row ->> 'deleted_at' IS NULL AND new_row ->> 'deleted_at' IS NOT NULL THEN 'DELETE'
            WHEN old_row ->> 'deleted_at' IS NOT NULL AND new_row ->> 'deleted_at' IS NULL THEN 'RESTORE'
            WHEN new_vals ? 'status' THEN 'STATUS'
            ELSE 'UPDATE' END;
    END IF;
    row_data := COALESCE(new_row, old_row);
    INSERT INTO audit_log (actor, client_ip, user_agent, request_id, entity, entity_id, user_id, action,
                           old_values, new_values)
    VALUES (COALESCE(NULLIF(current_setting('genledger.actor', true), ''), 'database:' || current_user),
            NULLIF(current_setting('genledger.client_ip', true), ''),
            NULLIF(current_setting('genledger.user_agent', true), ''),
            NULLIF(current_setting('genledger.request_id', true), ''),
            TG_ARGV[0],
            row_data ->> 'id',
            (CASE WHEN TG_TABLE_NAME = 'users' THEN row_data ->> 'id' ELSE row_data ->> 'user_id' END)::uuid,
            act, old_vals, new_vals);
    RETURN NULL;
END;
$$;

-- Balance changes (the hot path) do not even enter the trigger: the ledger is their audit.
CREATE TRIGGER users_audit AFTER INSERT OR DELETE ON users
    FOR EACH ROW EXECUTE FUNCTION audit_row_change('user', 'balance', 'held', 'updated_at', 'seq');
CREATE TRIGGER users_audit_update AFTER UPDATE ON users
    FOR EACH ROW
    WHEN ((OLD.email, OLD.external_id, OLD.display_name, OLD.deleted_at, OLD.purged_at)
          IS DISTINCT FROM (NEW.email, NEW.external_id, NEW.display_name, NEW.deleted_at, NEW.purged_at))
    EXECUTE FUNCTION audit_row_change('user', 'balance', 'held', 'updated_at', 'seq');
CREATE TRIGGER generation_jobs_audit AFTER INSERT OR UPDATE OR DELETE ON generation_jobs
    FOR EACH ROW EXECUTE FUNCTION audit_row_change('job', 'updated_at', 'seq');
CREATE TRIGGER quizzes_audit AFTER INSERT OR UPDATE OR DELETE ON quizzes
    FOR EACH ROW EXECUTE FUNCTION audit_row_change('quiz', 'updated_at', 'seq');
CREATE TRIGGER insights_audit AFTER INSERT OR UPDATE OR DELETE ON insights
    FOR EACH ROW EXECUTE FUNCTION audit_row_change('insight', 'updated_at');
