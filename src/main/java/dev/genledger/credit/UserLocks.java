package dev.genledger.credit;

import java.util.Collection;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

import jakarta.enterprise.context.ApplicationScoped;

import dev.genledger.db.FailureClassifier;
import dev.genledger.db.TransientDatabaseException;

/**
 * In-process locks on users' balances, taken before a credit transaction starts. Under REPEATABLE
 * READ a transaction whose snapshot predates another's change to the same balance fails with a
 * serialization error; waiting here instead means that, within one replica, credit transactions
 * on one user never meet in the database (across replicas the database still serializes them and
 * the loser is retried). Striped, so memory stays fixed; two users are locked in stripe order.
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

    public <T> T withUser(UUID user, Supplier<T> work) {
        return withUsers(List.of(user), work);
    }

    public <T> T withUsers(UUID a, UUID b, Supplier<T> work) {
        return withUsers(List.of(a, b), work);
    }

    /** Runs the work holding every given user's lock, taken in stripe order so lockers never deadlock. */
    public <T> T withUsers(Collection<UUID> users, Supplier<T> work) {
        int[] held = users.stream().mapToInt(UserLocks::stripe).sorted().distinct().toArray();
        int taken = 0;
        try {
            for (; taken < held.length; taken++) {
                acquire(held[taken], users);
            }
            return work.get();
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
