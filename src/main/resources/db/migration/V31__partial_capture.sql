-- Partial capture: a job's success may charge less than it held. generation_jobs.actual_cost is
-- what it charged when it said (NULL: its cost, as before); credit_holds.captured what a capture
-- spent, the rest of the hold going back to its lots in the same transaction (NULL on holds
-- captured before: all of it). A success that charges nothing releases the hold.
ALTER TABLE generation_jobs ADD COLUMN actual_cost bigint CHECK (actual_cost >= 0 AND actual_cost <= cost);
ALTER TABLE credit_holds ADD COLUMN captured bigint
    CHECK (captured IS NULL OR (captured > 0 AND captured <= amount AND status = 'CAPTURED'));

-- A succeeded job's event says what it charged, as the API does.
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
                               'holdExpiresAt', event_time(NEW.hold_expires_at),
                               'actualCost', CASE WHEN NEW.status = 'SUCCEEDED' THEN coalesce(NEW.actual_cost, NEW.cost) END));
    RETURN NULL;
END;
$$;
