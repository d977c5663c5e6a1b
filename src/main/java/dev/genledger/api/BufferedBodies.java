package dev.genledger.api;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The process-wide budget of request body bytes held in memory. A request reserves what it may
 * buffer before its first byte is read and gives it back when its exchange ends.
 */
final class BufferedBodies {

    private final long max;
    private final AtomicLong held = new AtomicLong();

    BufferedBodies(long max) {
        this.max = max;
    }

    boolean tryReserve(long bytes) {
        long now;
        do {
            now = held.get();
            if (now + bytes > max) {
                return false;
            }
        } while (!held.compareAndSet(now, now + bytes));
        return true;
    }

    void release(long bytes) {
        held.addAndGet(-bytes);
    }
}
