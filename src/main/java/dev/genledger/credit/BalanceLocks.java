package dev.genledger.credit;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Collection;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * Serializes balance changes of one user across replicas. Every transaction that changes a balance
 * (credit lanes, transfers, job holds and settlements) calls {@link #lock} as its first statement:
 * {@code LOCK TABLE} on the users' stripe tables (migration V15) in EXCLUSIVE mode. LOCK takes no
 * snapshot, so under REPEATABLE READ a transaction that waited here gets its snapshot only after
 * the holder committed, and its conditional UPDATE succeeds instead of failing with 40001. The lock
 * is transaction-scoped, so it works behind PgBouncer in transaction mode. Stripes are locked in
 * one sorted statement, so lockers never deadlock on them. In front of it, {@link UserLocks} keeps
 * a replica's own waiters off pooled connections.
 */
public final class BalanceLocks {

    static final int STRIPES = 256;

    private BalanceLocks() {
    }

    /** Locks the stripes of the given users until the transaction ends; must run before any other statement. */
    public static void lock(Connection c, Collection<UUID> users) throws SQLException {
        String tables = users.stream().mapToInt(BalanceLocks::stripe).sorted().distinct()
                .mapToObj(BalanceLocks::table).collect(Collectors.joining(", "));
        try (Statement s = c.createStatement()) {
            s.execute("LOCK TABLE " + tables + " IN EXCLUSIVE MODE");
        }
    }

    static int stripe(UUID user) {
        return Math.floorMod(user.hashCode(), STRIPES);
    }

    static String table(int stripe) {
        return String.format("balance_locks.s%03d", stripe);
    }
}
