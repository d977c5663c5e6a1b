-- Webhook endpoints and their deliveries. Each event gets one delivery row per enabled endpoint
-- that takes its type, written by a trigger in the event's own transaction, so nothing committed
-- is left undelivered. Workers on any replica claim deliveries with FOR UPDATE SKIP LOCKED and a
-- lease (event.DeliveryWorker): a worker that dies mid-delivery leaves a lease that runs out, and
-- another worker sends the event again (at least once). Only the oldest pending delivery of a user
-- per endpoint may be claimed, which keeps each user's events in order per endpoint.

CREATE TABLE webhook_endpoints (
    id                    uuid        PRIMARY KEY,
    url                   text        NOT NULL CHECK (length(url) BETWEEN 8 AND 2000),
    event_types           text[]      NOT NULL DEFAULT '{}',
    description           text        CHECK (length(description) <= 500),
    secret                text        NOT NULL,
    previous_secret       text,
    previous_secret_until timestamptz,
    enabled               boolean     NOT NULL DEFAULT true,
    created_at            timestamptz NOT NULL DEFAULT now(),
    updated_at            timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE webhook_deliveries (
    id              bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    endpoint_id     uuid        NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
    event_id        bigint      NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    event_xid       xid8        NOT NULL,
    user_id         uuid        NOT NULL,
    status          text        NOT NULL DEFAULT 'PENDING' CHECK (status IN ('PENDING', 'DELIVERED', 'DEAD')),
    attempts        integer     NOT NULL DEFAULT 0,
    -- when the delivery was queued (by its event, or a replay): the backlog's age
    queued_at       timestamptz NOT NULL DEFAULT now(),
    -- the first attempt since then: retries stop retry-for after it, so a delivery queued behind
    -- others of its user gets its whole retry period
    first_attempt_at timestamptz,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    lease           uuid,
    leased_until    timestamptz,
    last_status     integer,
    last_latency_ms integer,
    last_error      text,
    delivered_at    timestamptz,
    CONSTRAINT webhook_deliveries_once UNIQUE (endpoint_id, event_id)
);

-- The claim: per endpoint, pending rows in per-user order.
CREATE INDEX webhook_deliveries_pending_idx ON webhook_deliveries (endpoint_id, user_id, event_xid, event_id)
    WHERE status = 'PENDING';
CREATE INDEX webhook_deliveries_endpoint_idx ON webhook_deliveries (endpoint_id, id DESC);

CREATE TABLE webhook_attempts (
    id          bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    delivery_id bigint      NOT NULL REFERENCES webhook_deliveries (id) ON DELETE CASCADE,
    attempt     integer     NOT NULL,
    at          timestamptz NOT NULL DEFAULT now(),
    status_code integer,
    latency_ms  integer     NOT NULL,
    error       text        CHECK (length(error) <= 500),
    worker      text        NOT NULL
);

CREATE INDEX webhook_attempts_delivery_idx ON webhook_attempts (delivery_id, id);

CREATE FUNCTION webhook_fan_out() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    INSERT INTO webhook_deliveries (endpoint_id, event_id, event_xid, user_id)
    SELECT w.id, NEW.id, NEW.xid, NEW.user_id
    FROM webhook_endpoints w
    WHERE w.enabled AND (cardinality(w.event_types) = 0 OR NEW.type = ANY (w.event_types));
    RETURN NULL;
END;
$$;

CREATE TRIGGER events_fan_out AFTER INSERT ON events FOR EACH ROW EXECUTE FUNCTION webhook_fan_out();

-- Deliveries and attempts are the delivery log: the service updates deliveries, never removes them
-- (they go with their event or endpoint).
REVOKE ALL ON webhook_deliveries, webhook_attempts FROM ${runtime_role};
GRANT SELECT, INSERT, UPDATE ON webhook_deliveries TO ${runtime_role};
GRANT SELECT, INSERT ON webhook_attempts TO ${runtime_role};
GRANT SELECT, INSERT, UPDATE, DELETE ON webhook_endpoints TO ${runtime_role};
