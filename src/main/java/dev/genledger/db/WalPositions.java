package dev.genledger.db;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import io.agroal.api.AgroalDataSource;

/**
 * The primary's WAL position after a write committed: what a consistency token carries. Reads of
 * it are shared: a caller joins the next read that starts after it asked, so however many writes
 * finish at once, one query is in flight (each read covers every commit that returned before it).
 */
@ApplicationScoped
public class WalPositions {

    private static final long WAIT_MILLIS = 1000;

    @Inject
    AgroalDataSource primary;

    @Inject
    Replica replica;

    private final Object lock = new Object();
    private CompletableFuture<Long> next;
    private boolean reading;

    /**
     * A position at or past every commit that returned before this call; {@link Lsn#PRIMARY_ONLY}
     * when the primary's position cannot be read in time (then only the primary may answer).
     */
    public long afterCommit() {
        CompletableFuture<Long> mine;
        boolean lead;
        synchronized (lock) {
            if (next == null) {
                next = new CompletableFuture<>();
            }
            mine = next;
            lead = !reading;
            if (lead) {
                reading = true;
                next = null;
            }
        }
        if (lead) {
            CompletableFuture<Long> first = mine;
            Thread.ofVirtual().name("wal-position").start(() -> readFrom(first));
        }
        try {
            return mine.get(WAIT_MILLIS, TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            return Lsn.PRIMARY_ONLY;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Lsn.PRIMARY_ONLY;
        }
    }

    private void readFrom(CompletableFuture<Long> batch) {
        while (batch != null) {
            try {
                long lsn = read();
                replica.primaryAt(lsn);
                batch.complete(lsn);
            } catch (SQLException | RuntimeException e) {
                batch.completeExceptionally(e);
            }
            synchronized (lock) {
                batch = next;
                next = null;
                if (batch == null) {
                    reading = false;
                }
            }
        }
    }

    // The insert position, not the write position: with synchronous_commit off a commit may have
    // returned before its record was written out, and the token must still cover it.
    private long read() throws SQLException {
        try (Connection c = primary.getConnection(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT pg_current_wal_insert_lsn()::text")) {
            rs.next();
            return Lsn.parse(rs.getString(1)).orElseThrow();
        }
    }
}
