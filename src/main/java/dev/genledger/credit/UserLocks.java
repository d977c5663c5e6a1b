package dev.genledger.credit;

import java.util.Collection;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import dev.genledger.db.FailureClassifier;
import dev.genledger.db.TransientDatabaseException;

/**
 * In-process locks on users, taken before a transaction on one starts: by {@link BalanceSerializer}
 * for every balance change, and by quiz and insight creates for the user's {@code content_usage}
 * row. Under REPEATABLE READ a transaction whose snapshot predates another's change to the same row
 * fails with a serialization error; waiting here instead means that, within one replica, such
 * transactions on one user never meet in the database, and a replica's own waiters stay off pooled
 * connections. Striped, so memory stays fixed; several users are locked in stripe order.
 * A wait is bounded: past it, the caller gets contention, which is retried or answered 503.
 */
@ApplicationScoped
public class UserLocks {

    private static final int STRIPES = 4096;

    private final ReentrantLock[] stripes = new ReentrantLock[STRIPES];
    private final long waitMillis;

    @Inject
    UserLocks(CreditsConfig config) {
        waitMillis = config.lockWait().toMillis();
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
            if (!stripes[stripe].tryLock(waitMillis, TimeUnit.MILLISECONDS)) {
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
