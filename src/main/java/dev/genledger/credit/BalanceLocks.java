package dev.genledger.credit;

import java.util.Collection;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * The database half of {@link BalanceSerializer}: {@code LOCK TABLE} on the users' stripe tables
 * (migration V15) in EXCLUSIVE mode. LOCK takes no snapshot, so under REPEATABLE READ a transaction
 * that waited here gets its snapshot only after the holder committed, and its conditional UPDATE
 * succeeds instead of failing with 40001. The lock is transaction-scoped, so it works behind
 * PgBouncer in transaction mode. Stripes are locked in one sorted statement, so lockers never
 * deadlock on them.
 */
final class BalanceLocks {

    static final int STRIPES = 256;

    private BalanceLocks() {
    }

    /** The statement that locks the stripes of the given users until the transaction ends. */
    static String statement(Collection<UUID> users) {
        return users.stream().mapToInt(BalanceLocks::stripe).sorted().distinct().mapToObj(BalanceLocks::table)
                .collect(Collectors.joining(", ", "LOCK TABLE ", " IN EXCLUSIVE MODE"));
    }

    static int stripe(UUID user) {
        return Math.floorMod(user.hashCode(), STRIPES);
    }

    static String table(int stripe) {
        return String.format("balance_locks.s%03d", stripe);
    }
}
