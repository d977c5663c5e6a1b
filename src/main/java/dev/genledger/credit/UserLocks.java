package dev.genledger.credit;

import java.util.Collection;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

import jakarta.enterprise.context.ApplicationScoped;

import dev.genledger.db.FailureClassifier;
import dev.genledger.db.TransientDatabaseException;

/**
 * In-process locks on users' balances, taken before a transaction that changes one starts (credit
 * lanes, transfers, job holds and settlements), and on their content counts (quiz and insight
 * creates, which update the user's {@code content_usage} row). Under REPEATABLE READ a transaction whose snapshot
 * predates another's change to the same balance fails with a serialization error; waiting here
 * instead means that, within one replica, such transactions on one user never meet in the database
 * (across replicas {@link BalanceLocks} makes them wait in the database; taking this lock first
 * keeps a replica's own waiters off pooled connections). Striped, so memory stays fixed; two users
 * are locked in stripe order.
 * A wait is bounded: past it, the caller gets contention, which is retried or answered 503.
 */
@ApplicationScoped
public class UserLocks {

    private static final int STRIPES = 4096;
    private static final long WAIT_MS = 2000;

    private final ReentrantLock[] stripes = new ReentrantLock[STRIPES];

    UserLocks() {
        for (int i = 0; i < STRIPES; i++) {
            stripes[i] = new ReentrantLock();
        }
    }

    /** Work done under the locks: typically a whole transaction, so the locks outlive its commit. */
    @FunctionalInterface
    public interface Work<T, E extends Exception> {
        T run() throws E;
    }

    public <T, E extends Exception> T withUser(UUID user, Work<T, E> work) throws E {
        return withUsers(List.of(user), work);
    }

    public <T, E extends Exception> T withUsers(UUID a, UUID b, Work<T, E> work) throws E {
        return withUsers(List.of(a, b), work);
    }

    /** Runs the work holding every given user's lock, taken in stripe order so lockers never deadlock. */
    public <T, E extends Exception> T withUsers(Collection<UUID> users, Work<T, E> work) throws E {
        int[] held = users.stream().mapToInt(UserLocks::stripe).sorted().distinct().toArray();
        int taken = 0;
        try {
            for (; taken < held.length; taken++) {
                acquire(held[taken], users);
            }
            return work.run();
        } finally {
            for (int i = taken - 1; i >= 0; i--) {
                stripes[held[i]].unlock();
            }
        }
    }

    private void acquire(int stripe, Collection<UUID> users) {
        try {
            if (!stripes[stripe].tryLock(WAIT_MS, TimeUnit.MILLISECONDS)) {
                throw new TransientDatabaseException(
                        new FailureClassifier.Classification(FailureClassifier.Kind.CONTENTION, null),
                        new IllegalStateException("waited too long for other credit operations on " + users));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for other credit operations", e);
        }
    }

    private static int stripe(UUID user) {
        return Math.floorMod(user.hashCode(), STRIPES);
    }
}
