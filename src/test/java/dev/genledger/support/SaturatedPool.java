package dev.genledger.support;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

import io.agroal.api.AgroalDataSource;

/**
 * A pool of the running service as a saturated replica has it: every connection taken (real ones,
 * from the pool itself) and held, and a caller always queueing for one more, each wait running
 * out at the pool's acquisition timeout. Closing gives them all back.
 */
public final class SaturatedPool implements AutoCloseable {

    private final List<Connection> held;
    private final Thread queueing;
    private volatile boolean open = true;

    private SaturatedPool(AgroalDataSource pool, List<Connection> held) {
        this.held = held;
        this.queueing = Thread.ofPlatform().daemon().name("saturated-pool-caller").start(() -> {
            while (open) {
                try (Connection extra = pool.getConnection()) {
                    // the pool had one free after all: give it back and queue again
                } catch (SQLException expected) {
                    // the acquisition timeout: queue again
                }
            }
        });
    }

    public static SaturatedPool of(AgroalDataSource pool) throws SQLException, InterruptedException {
        int max = pool.getConfiguration().connectionPoolConfiguration().maxSize();
        List<Connection> held = new ArrayList<>();
        try {
            while (held.size() < max) {
                held.add(pool.getConnection());
            }
        } catch (SQLException | RuntimeException e) {
            release(held);
            throw e;
        }
        SaturatedPool saturated = new SaturatedPool(pool, held);
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (pool.getMetrics().awaitingCount() == 0 && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        return saturated;
    }

    @Override
    public void close() throws InterruptedException {
        open = false;
        release(held);
        queueing.join();
    }

    private static void release(List<Connection> connections) {
        for (Connection c : connections) {
            try {
                c.close();
            } catch (SQLException ignored) {
                // a connection whose database went away: the pool discards it
            }
        }
    }
}
