package dev.genledger.credit;

import java.util.UUID;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

import jakarta.enterprise.context.ApplicationScoped;

/**
 * In-process locks on users' balances, taken before a credit transaction starts. Under REPEATABLE
 * READ a transaction whose snapshot predates another's change to the same balance fails with a
 * serialization error; waiting here instead means that, within one replica, credit transactions
 * on one user never meet in the database (across replicas the database still serializes them and
 * the loser is retried). Striped, so memory stays fixed; two users are locked in stripe order.
 */
@ApplicationScoped
public class UserLocks {

    private static final int STRIPES = 4096;

    private final ReentrantLock[] stripes = new ReentrantLock[STRIPES];

    UserLocks() {
        for (int i = 0; i < STRIPES; i++) {
            stripes[i] = new ReentrantLock();
        }
    }

    public <T> T withUser(UUID user, Supplier<T> work) {
        ReentrantLock lock = stripes[stripe(user)];
        lock.lock();
        try {
            return work.get();
        } finally {
            lock.unlock();
        }
    }

    public <T> T withUsers(UUID a, UUID b, Supplier<T> work) {
        int first = Math.min(stripe(a), stripe(b));
        int second = Math.max(stripe(a), stripe(b));
        stripes[first].lock();
        try {
            if (second == first) {
                return work.get();
            }
            stripes[second].lock();
            try {
                return work.get();
            } finally {
                stripes[second].unlock();
            }
        } finally {
            stripes[first].unlock();
        }
    }

    private static int stripe(UUID user) {
        return Math.floorMod(user.hashCode(), STRIPES);
    }
}
