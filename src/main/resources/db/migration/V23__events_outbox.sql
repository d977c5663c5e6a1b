-- The events outbox. Triggers on the tables whose changes are events write one row per event in
-- the changing transaction itself, whatever wrote it (the service, a SECURITY DEFINER function, a
-- person at psql): an event exists exactly when its change committed. The functions run as the
-- schema owner, and ${runtime_role} may only read events: the service cannot forge or drop one.
--
-- Order: xid is the writing transaction's id. Readers only see rows of transactions older than
-- every transaction still running (pg_snapshot_xmin) and page by (xid, id), so a cursor never
-- skips a row that commits late. A user's changes are serialized (balance locks, row locks) before
-- their transaction first writes, so (xid, id) is also the order of that user's changes.

CREATE TABLE events (
    id          bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    xid         xid8        NOT NULL DEFAULT pg_current_xact_id(),
    user_id     uuid        NOT NULL,
    type        text        NOT NULL CHECK (type ~ '^[a-z]+\.[a-z]+$'),
    occurred_at timestamptz NOT NULL DEFAULT now(),
    data        jsonb       NOT NULL
);

CREATE INDEX events_stream_idx ON events (xid, id);
CREATE INDEX events_user_idx ON events (user_id, xid, id);
CREATE INDEX events_occurred_idx ON events (occurred_at);

-- Times as the API writes them (RFC 3339, UTC), whatever the session's time zone.
CREATE FUNCTION event_time(t timestamptz) RETURNS text LANGUAGE sql IMMUTABLE AS $$
    SELECT to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')
$$;

-- Low-credit alerts: a deployment-wide threshold on available credits (balance - held), written by
-- the service from genledger.events.credits-low-threshold at startup, and per-user overrides.
CREATE TABLE credit_alert_settings (
    singleton     boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    low_threshold bigint  NOT NULL DEFAULT 10 CHECK (low_threshold >= 0)
);
INSERT INTO credit_alert_settings DEFAULT VALUES;

-- A user's own threshold (null: the deployment's) and the last alert announced to them, so that
-- credits.recovered follows only a credits.low or credits.depleted (a new user's first grant is no
-- recovery). Written only when a user sets a threshold or an alert is announced.
CREATE TABLE credit_alerts (
    user_id       uuid        PRIMARY KEY REFERENCES users (id),
    low_threshold bigint      CHECK (low_threshold >= 0),
    announced     text        CHECK (announced IN ('low', 'depleted', 'ok')),
    updated_at    timestamptz NOT NULL DEFAULT now()
);

-- ok above the threshold, low at or below it, depleted at zero.
CREATE FUNCTION credit_alert_state(available bigint, low bigint) RETURNS text LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN available <= 0 THEN 'depleted' WHEN available <= low THEN 'low' ELSE 'ok' END
$$;

-- credits.low when available credits fall to the threshold or below, credits.depleted when they
-- reach zero, credits.recovered when they climb back above the threshold after one of those was
-- announced. Changes that cross nothing (most spends) write nothing.
CREATE FUNCTION events_on_available_change() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    own       credit_alerts%ROWTYPE;
    low       bigint;
    before    text;
    after     text;
BEGIN
    SELECT * INTO own FROM credit_alerts a WHERE a.user_id = NEW.id;
    low := coalesce(own.low_threshold, (SELECT s.low_threshold FROM credit_alert_settings s));
    before := credit_alert_state(OLD.balance - OLD.held, low);
    after := credit_alert_state(NEW.balance - NEW.held, low);
    IF NOT ((after = 'depleted' AND before <> 'depleted') OR (after = 'low' AND before = 'ok')
            OR (after = 'ok' AND before <> 'ok' AND coalesce(own.announced, 'ok') <> 'ok')) THEN
        RETURN NULL;
    END IF;
    INSERT INTO events (user_id, type, data)
    VALUES (NEW.id, 'credits.' || CASE after WHEN 'ok' THEN 'recovered' ELSE after END,
            jsonb_build_object('balance', jsonb_build_object('userId', NEW.id, 'balance', NEW.balance,
                                                             'held', NEW.held, 'available', NEW.balance - NEW.held),
                               'lowThreshold', low));
    INSERT INTO credit_alerts AS a (user_id, announced) VALUES (NEW.id, after)
    ON CONFLICT (user_id) DO UPDATE SET announced = EXCLUDED.announced, updated_at = now();
    RETURN NULL;
END;
$$;

CREATE TRIGGER users_credit_alert_events AFTER UPDATE OF balance, held ON users
    FOR EACH ROW WHEN ((OLD.balance - OLD.held) IS DISTINCT FROM (NEW.balance - NEW.held))
    EXECUTE FUNCTION events_on_available_change();

-- user.deleted / user.restored: the user as GET /v1/users/{id} shows it.
CREATE FUNCTION events_on_user_deleted_or_restored() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    INSERT INTO events (user_id, type, data)
    VALUES (NEW.id, CASE WHEN NEW.deleted_at IS NULL THEN 'user.restored' ELSE 'user.deleted' END,
            jsonb_build_object('id', NEW.id, 'email', NEW.email, 'externalId', NEW.external_id,
                               'displayName', NEW.display_name, 'balance', NEW.balance,
                               'createdAt', event_time(NEW.created_at), 'updatedAt', event_time(NEW.updated_at)));
    RETURN NULL;
END;
$$;

CREATE TRIGGER users_deleted_or_restored_events AFTER UPDATE OF deleted_at ON users
    FOR EACH ROW WHEN ((OLD.deleted_at IS NULL) <> (NEW.deleted_at IS NULL))
    EXECUTE FUNCTION events_on_user_deleted_or_restored();

-- credits.granted: the ledger row as the ledger endpoint shows it. EXPIRE is the kind credit lots
-- write when credits expire: its event, credits.expired, is this same row, ready for that kind.
CREATE FUNCTION events_on_ledger_row() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    INSERT INTO events (user_id, type, data)
    VALUES (NEW.user_id, CASE NEW.kind WHEN 'GRANT' THEN 'credits.granted' WHEN 'EXPIRE' THEN 'credits.expired' END,
            jsonb_build_object('id', NEW.id, 'userId', NEW.user_id, 'kind', NEW.kind, 'amount', NEW.amount,
                               'balanceAfter', NEW.balance_after, 'reason', NEW.reason, 'reference', NEW.reference,
                               'transferId', NEW.transfer_id, 'createdAt', event_time(NEW.created_at)));
    RETURN NULL;
END;
$$;

CREATE TRIGGER credit_ledger_events AFTER INSERT ON credit_ledger
    FOR EACH ROW WHEN (NEW.kind IN ('GRANT', 'EXPIRE'))
    EXECUTE FUNCTION events_on_ledger_row();

-- job.succeeded / job.failed / job.cancelled, and hold.expired for a job failed because its hold
-- ran out (the stuck-job sweep, or any code path that expires holds, sets genledger.hold_expiry in
-- its transaction). The job as GET /v1/jobs/{id} shows it, without its history.
CREATE FUNCTION events_on_job_settled() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    INSERT INTO events (user_id, type, data)
    VALUES (NEW.user_id,
            CASE NEW.status
                WHEN 'SUCCEEDED' THEN 'job.succeeded'
                WHEN 'CANCELLED' THEN 'job.cancelled'
                ELSE CASE WHEN current_setting('genledger.hold_expiry', true) = 'on' THEN 'hold.expired'
                          ELSE 'job.failed' END
            END,
            jsonb_build_object('id', NEW.id, 'userId', NEW.user_id, 'jobKey', NEW.job_key, 'kind', NEW.kind,
                               'cost', NEW.cost, 'status', NEW.status, 'resultRef', NEW.result_ref,
                               'error', NEW.error, 'createdAt', event_time(NEW.created_at),
                               'updatedAt', event_time(NEW.updated_at), 'startedAt', event_time(NEW.started_at),
                               'finishedAt', event_time(NEW.finished_at)));
    RETURN NULL;
END;
$$;

CREATE TRIGGER generation_jobs_settled_events AFTER UPDATE OF status ON generation_jobs
    FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status AND NEW.status IN ('SUCCEEDED', 'FAILED', 'CANCELLED'))
    EXECUTE FUNCTION events_on_job_settled();

-- Retention: events older than the cutoff, at most batch rows per call.
CREATE FUNCTION purge_events(older_than timestamptz, batch integer) RETURNS integer
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    removed integer;
BEGIN
    DELETE FROM events WHERE id IN (SELECT id FROM events WHERE occurred_at < older_than ORDER BY id LIMIT batch);
    GET DIAGNOSTICS removed = ROW_COUNT;
    RETURN removed;
END;
$$;

REVOKE ALL ON events, credit_alert_settings FROM ${runtime_role};
GRANT SELECT ON events TO ${runtime_role};
GRANT SELECT, UPDATE ON credit_alert_settings TO ${runtime_role};
-- The service sets thresholds; only the trigger (as the owner) announces.
REVOKE ALL ON credit_alerts FROM ${runtime_role};
GRANT SELECT, INSERT (user_id, low_threshold, updated_at), UPDATE (low_threshold, updated_at) ON credit_alerts
    TO ${runtime_role};
REVOKE EXECUTE ON FUNCTION purge_events(timestamptz, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION purge_events(timestamptz, integer) TO ${runtime_role};
