package dev.genledger.credit;

import java.util.Collection;
import java.util.UUID;
import java.util.function.Supplier;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import dev.genledger.db.Sql;
import dev.genledger.db.TranslateFailures;
import io.quarkus.narayana.jta.QuarkusTransaction;

/**
 * The one way to serialize work on users' balances: the credit lanes, transfers, job holds and
 * settlements, and the stuck-job sweep all run their transaction through {@link #inTransaction}.
 * It takes the users' in-process locks ({@link UserLocks}: a replica's own waiters queue off the
 * pool), then starts a new transaction whose first statement takes their stripe locks
 * ({@link BalanceLocks}: other replicas' transactions wait in the database, and the snapshot starts
 * after the wait). Correctness rests on the conditional updates either way; the locks spare
 * serialization failures.
 */
@ApplicationScoped
@TranslateFailures
public class BalanceSerializer {

    // These transactions run a few statements thousands of times a second, and their plans do not
    // depend on the values. Left to itself, PostgreSQL plans every execution of a statement with an
    // array parameter anew (the lots' read and their draws): each custom plan, costed for the
    // array's actual length, looks cheaper than the generic one, so the generic plan is never taken.
    private static final String GENERIC_PLANS = "SET LOCAL plan_cache_mode = force_generic_plan";

    @Inject
    UserLocks locks;

    @Inject
    Sql sql;

    /** Runs the work in a new transaction that holds every given user's balance locks until it ends. */
    public <T> T inTransaction(Collection<UUID> users, Supplier<T> work) {
        return run(users, true, work);
    }

    /**
     * The same without the stripe locks, for a lane's retry after a lost connection: that
     * connection's backend may live on, frozen or cut off, still holding them until PostgreSQL
     * notices, and the retry at worst meets a serialization failure, retried like any other.
     */
    <T> T withoutStripeLocks(Collection<UUID> users, Supplier<T> work) {
        return run(users, false, work);
    }

    private <T> T run(Collection<UUID> users, boolean stripes, Supplier<T> work) {
        String first = stripes && !users.isEmpty()
                ? GENERIC_PLANS + "; " + BalanceLocks.statement(users)
                : GENERIC_PLANS;
        return locks.withUsers(users, () -> QuarkusTransaction.requiringNew().call(() -> {
            sql.execute(first);
            return work.get();
        }));
    }
}
