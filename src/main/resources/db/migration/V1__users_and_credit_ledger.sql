-- Users and their credit ledger. The database, not the application, is the last line of
-- defence for money: balances cannot go negative and ledger rows cannot be changed.

CREATE TABLE users (
    id           uuid        PRIMARY KEY,
    email        text        NOT NULL CHECK (length(email) BETWEEN 3 AND 254),
    external_id  text        CHECK (length(external_id) BETWEEN 1 AND 128),
    display_name text        CHECK (length(display_name) <= 200),
    balance      bigint      NOT NULL DEFAULT 0 CHECK (balance >= 0),
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    deleted_at   timestamptz
);

-- Unique among live users only: a deleted user frees nothing until it is purged or restored.
-- Emails are unique regardless of case.
CREATE UNIQUE INDEX users_email_live_key ON users (lower(email)) WHERE deleted_at IS NULL;
CREATE UNIQUE INDEX users_external_id_live_key ON users (external_id) WHERE deleted_at IS NULL;

CREATE TABLE credit_ledger (
    id              bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id         uuid        NOT NULL REFERENCES users (id),
    amount          bigint      NOT NULL CHECK (amount <> 0),
    balance_after   bigint      NOT NULL CHECK (balance_after >= 0),
    kind            text        NOT NULL CHECK (kind IN ('GRANT', 'SPEND', 'REFUND', 'HOLD', 'CAPTURE', 'RELEASE',
                                                         'TRANSFER_IN', 'TRANSFER_OUT', 'ADMIN_ADJUSTMENT')),
    reason          text        NOT NULL CHECK (length(reason) BETWEEN 1 AND 500),
    reference       text        CHECK (length(reference) <= 200),
    idempotency_key text        CHECK (length(idempotency_key) <= 200),
    request_hash    text,
    transfer_id     uuid,
    actor           text        NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT credit_ledger_idempotency_key UNIQUE (user_id, idempotency_key)
);

-- Serves the ledger page (newest first per user) and reconciliation.
CREATE INDEX credit_ledger_user_id_idx ON credit_ledger (user_id, id DESC);
CREATE INDEX credit_ledger_transfer_idx ON credit_ledger (transfer_id) WHERE transfer_id IS NOT NULL;

CREATE FUNCTION credit_ledger_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'credit_ledger is append-only: % refused', TG_OP
        USING ERRCODE = 'restrict_violation';
END;
$$;

CREATE TRIGGER credit_ledger_append_only
    BEFORE UPDATE OR DELETE ON credit_ledger
    FOR EACH ROW EXECUTE FUNCTION credit_ledger_refuse_change();

CREATE TRIGGER credit_ledger_no_truncate
    BEFORE TRUNCATE ON credit_ledger
    FOR EACH STATEMENT EXECUTE FUNCTION credit_ledger_refuse_change();
