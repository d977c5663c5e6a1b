-- Credit lots: what each grant (or incoming transfer, or refund with no lot left to return to) put
-- in a balance, and what is left of it. Spends, holds, transfers and expiry draw from lots in a
-- fixed order (credit.LotOrder); every ledger row that moves lot credits records its draws, so each
-- credit can be traced from its grant to its use. For every user, at every commit:
--   users.balance = sum(remaining) of their lots, users.held = sum(held) of their lots,
--   a lot's remaining = its amount + the sum of its draws,
--   a ledger row's amount = the sum of its draws + the amount of the lots it created.
CREATE TABLE credit_lots (
    id               bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id          uuid        NOT NULL REFERENCES users (id),
    -- The ledger row that created the lot; NULL for a balance that predates lots (below).
    ledger_id        bigint      UNIQUE REFERENCES credit_ledger (id),
    category         text        NOT NULL CHECK (category IN ('paid', 'promotional')),
    amount           bigint      NOT NULL CHECK (amount > 0),
    remaining        bigint      NOT NULL,
    -- Reserved by open job holds (credit_hold_lots); expiry waits until it is 0.
    held             bigint      NOT NULL DEFAULT 0,
    -- Lower is drawn first among lots of one expiry and category (0..100, as Stripe's credit grants).
    priority         integer     NOT NULL DEFAULT 50 CHECK (priority BETWEEN 0 AND 100),
    expires_at       timestamptz,
    -- The one EXPIRE ledger row that took what was left at expiry.
    expiry_ledger_id bigint      UNIQUE REFERENCES credit_ledger (id),
    created_at       timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT credit_lots_within CHECK (held >= 0 AND held <= remaining AND remaining <= amount)
);

-- Spends read a user's lots that still hold credits; the sweep finds expired ones; the listing pages by id.
CREATE INDEX credit_lots_live_idx ON credit_lots (user_id) WHERE remaining > 0;
CREATE INDEX credit_lots_expiry_idx ON credit_lots (expires_at) WHERE remaining > 0 AND expires_at IS NOT NULL;
CREATE INDEX credit_lots_user_idx ON credit_lots (user_id, id DESC);

-- One row per (ledger row, lot): negative when the row took credits from the lot, positive when a
-- refund returned them. Keyed by the ledger row, which is how draws are read.
CREATE TABLE credit_lot_draws (
    ledger_id bigint NOT NULL REFERENCES credit_ledger (id),
    lot_id    bigint NOT NULL REFERENCES credit_lots (id),
    amount    bigint NOT NULL CHECK (amount <> 0),
    PRIMARY KEY (ledger_id, lot_id)
);

CREATE FUNCTION credit_lot_draws_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'credit_lot_draws is append-only: % refused', TG_OP
        USING ERRCODE = 'restrict_violation';
END;
$$;

CREATE TRIGGER credit_lot_draws_append_only
    BEFORE UPDATE OR DELETE ON credit_lot_draws
    FOR EACH ROW EXECUTE FUNCTION credit_lot_draws_refuse_change();

CREATE TRIGGER credit_lot_draws_no_truncate
    BEFORE TRUNCATE ON credit_lot_draws
    FOR EACH STATEMENT EXECUTE FUNCTION credit_lot_draws_refuse_change();

-- The lots an open hold reserved: capture draws them, release gives them back. The rows go with
-- their hold when a purged user's jobs go.
CREATE TABLE credit_hold_lots (
    hold_id bigint NOT NULL REFERENCES credit_holds (id) ON DELETE CASCADE,
    lot_id  bigint NOT NULL REFERENCES credit_lots (id),
    amount  bigint NOT NULL CHECK (amount > 0),
    PRIMARY KEY (hold_id, lot_id)
);

-- Every balance so far becomes one paid lot that never expires, holding what is held. No ledger
-- row: the balance does not move, and balance = sum(ledger) holds as before.
INSERT INTO credit_lots (user_id, category, amount, remaining, held, created_at)
SELECT id, 'paid', balance, balance, held, created_at FROM users WHERE balance > 0;

INSERT INTO credit_hold_lots (hold_id, lot_id, amount)
SELECT h.id, l.id, h.amount
FROM credit_holds h JOIN credit_lots l ON l.user_id = h.user_id
WHERE h.status = 'OPEN';

GRANT SELECT, INSERT, UPDATE ON credit_lots TO ${runtime_role};
GRANT SELECT, INSERT ON credit_lot_draws, credit_hold_lots TO ${runtime_role};
