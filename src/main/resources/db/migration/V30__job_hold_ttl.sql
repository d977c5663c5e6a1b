-- A job's hold has a time to live. hold_expires_at is when it runs out unless the worker's
-- heartbeat renews it (to hold_ttl_ms from the heartbeat) first; an open job (PENDING, RUNNING)
-- neither settled nor renewed by then becomes EXPIRED and its hold is released, once. Jobs open
-- before this migration get the shipped default TTL (15 minutes) from now.
ALTER TABLE generation_jobs ADD COLUMN hold_ttl_ms bigint CHECK (hold_ttl_ms > 0);
ALTER TABLE generation_jobs ADD COLUMN hold_expires_at timestamptz;

-- A heartbeat only moves hold_expires_at: not a change worth an audit row per beat.
DROP TRIGGER generation_jobs_audit ON generation_jobs;
CREATE TRIGGER generation_jobs_audit AFTER INSERT OR UPDATE OR DELETE ON generation_jobs
    FOR EACH ROW EXECUTE FUNCTION audit_row_change('job', 'updated_at', 'seq', 'hold_expires_at');

UPDATE generation_jobs SET hold_ttl_ms = 900000, hold_expires_at = now() + interval '15 minutes'
WHERE status IN ('PENDING', 'RUNNING');

ALTER TABLE generation_jobs DROP CONSTRAINT generation_jobs_status_check;
ALTER TABLE generation_jobs ADD CONSTRAINT generation_jobs_status_check
    CHECK (status IN ('PENDING', 'RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELLED', 'EXPIRED')) NOT VALID;
ALTER TABLE generation_jobs VALIDATE CONSTRAINT generation_jobs_status_check;
ALTER TABLE generation_jobs ADD CONSTRAINT generation_jobs_open_hold_expires
    CHECK (status NOT IN ('PENDING', 'RUNNING') OR (hold_expires_at IS NOT NULL AND hold_ttl_ms IS NOT NULL)) NOT VALID;
ALTER TABLE generation_jobs VALIDATE CONSTRAINT generation_jobs_open_hold_expires;

-- The database's clock, the one every replica's heartbeat and sweep compare with, starts the TTL.
CREATE FUNCTION generation_jobs_hold_expiry() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.hold_expires_at := statement_timestamp() + NEW.hold_ttl_ms * interval '1 millisecond';
    RETURN NEW;
END;
$$;

CREATE TRIGGER generation_jobs_hold_expiry BEFORE INSERT ON generation_jobs
    FOR EACH ROW WHEN (NEW.hold_ttl_ms IS NOT NULL) EXECUTE FUNCTION generation_jobs_hold_expiry();

-- The expiry sweep's scan.
CREATE INDEX generation_jobs_hold_expiry_idx ON generation_jobs (hold_expires_at) WHERE status IN ('PENDING', 'RUNNING');

-- An EXPIRED job is announced as hold.expired, like a job the stuck-job sweep failed; the job now
-- carries its hold's TTL (ISO-8601, as the API shows it) and expiry.
CREATE OR REPLACE FUNCTION events_on_job_settled() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp SET intervalstyle = 'iso_8601' AS $$
BEGIN
    INSERT INTO events (user_id, type, data)
    VALUES (NEW.user_id,
            CASE NEW.status
                WHEN 'SUCCEEDED' THEN 'job.succeeded'
                WHEN 'CANCELLED' THEN 'job.cancelled'
                WHEN 'EXPIRED' THEN 'hold.expired'
                ELSE CASE WHEN current_setting('genledger.hold_expiry', true) = 'on' THEN 'hold.expired'
                          ELSE 'job.failed' END
            END,
            jsonb_build_object('id', NEW.id, 'userId', NEW.user_id, 'jobKey', NEW.job_key, 'kind', NEW.kind,
                               'cost', NEW.cost, 'status', NEW.status, 'resultRef', NEW.result_ref,
                               'error', NEW.error, 'createdAt', event_time(NEW.created_at),
                               'updatedAt', event_time(NEW.updated_at), 'startedAt', event_time(NEW.started_at),
                               'finishedAt', event_time(NEW.finished_at),
                               'holdTtl', (NEW.hold_ttl_ms * interval '1 millisecond')::text,
                               'holdExpiresAt', event_time(NEW.hold_expires_at)));
    RETURN NULL;
END;
$$;

DROP TRIGGER generation_jobs_settled_events ON generation_jobs;
CREATE TRIGGER generation_jobs_settled_events AFTER UPDATE OF status ON generation_jobs
    FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status
                       AND NEW.status IN ('SUCCEEDED', 'FAILED', 'CANCELLED', 'EXPIRED'))
    EXECUTE FUNCTION events_on_job_settled();
