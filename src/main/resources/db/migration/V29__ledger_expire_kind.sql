-- What is left of an expired credit lot leaves the balance as one EXPIRE ledger row (its event,
-- credits.expired, is already announced by V23). NOT VALID then VALIDATE: the ledger is scanned
-- without blocking writes to it.
ALTER TABLE credit_ledger DROP CONSTRAINT credit_ledger_kind_check;
ALTER TABLE credit_ledger ADD CONSTRAINT credit_ledger_kind_check
    CHECK (kind IN ('GRANT', 'SPEND', 'REFUND', 'HOLD', 'CAPTURE', 'RELEASE', 'TRANSFER_IN', 'TRANSFER_OUT',
                    'ADMIN_ADJUSTMENT', 'EXPIRE')) NOT VALID;
ALTER TABLE credit_ledger VALIDATE CONSTRAINT credit_ledger_kind_check;
