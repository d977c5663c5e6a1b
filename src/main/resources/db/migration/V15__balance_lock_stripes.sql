-- Stripe tables that serialize balance changes across replicas (credit.BalanceLocks). Every
-- transaction that changes a balance starts with LOCK TABLE balance_locks.sNNN IN EXCLUSIVE MODE
-- for its users' stripes. LOCK takes no snapshot, so under REPEATABLE READ the waiter's snapshot
-- starts after the holder committed and its UPDATE succeeds instead of failing with 40001 (an
-- advisory lock is taken by a SELECT, whose snapshot predates the grant). The tables stay empty:
-- only their locks are used. 256 stripes: the number is part of the code (BalanceLocks.STRIPES).
CREATE SCHEMA balance_locks;

DO $$
BEGIN
    FOR i IN 0..255 LOOP
        EXECUTE format('CREATE TABLE balance_locks.%I ()', 's' || lpad(i::text, 3, '0'));
    END LOOP;
END
$$;

-- LOCK ... IN EXCLUSIVE MODE needs UPDATE, DELETE or TRUNCATE on the table: the runtime role gets
-- UPDATE on the empty stripes, which lets it do nothing but lock them.
GRANT USAGE ON SCHEMA balance_locks TO ${runtime_role};
GRANT UPDATE ON ALL TABLES IN SCHEMA balance_locks TO ${runtime_role};
