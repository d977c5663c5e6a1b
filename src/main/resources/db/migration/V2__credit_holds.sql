-- Credits reserved for generation jobs. A hold does not change the balance (the ledger's
-- amounts are never 0), so it lives in its own table: one row per job, OPEN until the job is
-- settled exactly once, as CAPTURED (one CAPTURE row in the ledger, a negative amount) or
-- RELEASED (no ledger row: the balance never moved). users.held is the sum of a user's OPEN holds.

ALTER TABLE users ADD COLUMN held bigint NOT NULL DEFAULT 0;
ALTER TABLE users ADD CONSTRAINT users_held_within_balance CHECK (held >= 0 AND held <= balance);

CREATE TABLE credit_holds (
    id          bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id     uuid        NOT NULL REFERENCES users (id),
    job_id      uuid        NOT NULL,
    amount      bigint      NOT NULL CHECK (amount > 0),
    status      text        NOT NULL DEFAULT 'OPEN' CHECK (status IN ('OPEN', 'CAPTURED', 'RELEASED')),
    ledger_id   bigint      REFERENCES credit_ledger (id),
    actor       text        NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    settled_at  timestamptz,
    CONSTRAINT credit_holds_job_key UNIQUE (job_id),
    CONSTRAINT credit_holds_settled CHECK ((status = 'OPEN') = (settled_at IS NULL)),
    CONSTRAINT credit_holds_captured_has_ledger CHECK ((status = 'CAPTURED') = (ledger_id IS NOT NULL))
);

CREATE INDEX credit_holds_open_idx ON credit_holds (user_id) WHERE status = 'OPEN';
