package dev.genledger.ops;

import java.util.concurrent.atomic.AtomicInteger;

import jakarta.enterprise.context.ApplicationScoped;

import dev.genledger.db.RetentionStep;

/**
 * A retention step that purges nothing but counts its runs and can be made slow, so tests can
 * see how often the purge really ran and make two runs overlap.
 */
@ApplicationScoped
public class CountingRetentionStep implements RetentionStep {

    static final AtomicInteger RUNS = new AtomicInteger();
    static volatile long delayMillis;

    @Override
    public String name() {
        return "test-counter";
    }

    @Override
    public int order() {
        return 0;
    }

    @Override
    public long purge() {
        RUNS.incrementAndGet();
        if (delayMillis > 0) {
            try {
                Thread.sleep(delayMillis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        return 0;
    }
}
