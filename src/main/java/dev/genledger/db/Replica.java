package dev.genledger.db;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayDeque;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import io.agroal.api.AgroalDataSource;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.arc.InjectableInstance;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import org.jboss.logging.Logger;

/**
 * The read replica (datasource {@code replica}), when one is configured: how far it has replayed
 * the primary's WAL and how far behind it is, measured every poll interval, and whether a read may
 * go to it now. A replica that is unreachable, not a standby, or lagging past the bound is bypassed
 * (counted by reason); readiness never looks at it.
 */
@ApplicationScoped
public class Replica {

    public static final String DOWN = "down";
    public static final String LAGGING = "lagging";
    public static final String BEHIND_TOKEN = "behind-token";

    private static final Logger LOG = Logger.getLogger(Replica.class);
    private static final int MAX_SAMPLES = 100_000;
    private static final long CATCH_UP_STEP_NANOS = TimeUnit.MILLISECONDS.toNanos(5);

    @Inject
    @io.quarkus.agroal.DataSource(DatabaseRoute.REPLICA)
    InjectableInstance<AgroalDataSource> replicaPool;

    @Inject
    AgroalDataSource primary;

    @Inject
    ReplicaConfig config;

    @Inject
    MeterRegistry registry;

    private volatile AgroalDataSource pool;
    private ScheduledExecutorService monitor;
    private final ReentrantLock refreshing = new ReentrantLock();

    private volatile long replayed;
    private volatile double lagSeconds = Double.NaN;
    private volatile boolean standby;
    private volatile long measuredAt;
    private volatile long primaryPosition;
    // The primary's position at each poll, {nanoTime, lsn}, oldest first; the first is the newest one
    // the replica has replayed (or the oldest kept, when it has replayed none). Monitor thread only.
    private final ArrayDeque<long[]> primarySamples = new ArrayDeque<>();

    void start(@Observes StartupEvent started) {
        if (!replicaPool.isResolvable() || !replicaPool.getHandle().getBean().isActive()) {
            return;
        }
        pool = replicaPool.get();
        Gauge.builder("genledger.db.replica.lag", this, Replica::lagForMetric).baseUnit("seconds")
                .tag("datasource", DatabaseRoute.REPLICA)
                .description("How far the read replica's replay is behind the primary; grows while it is unreachable")
                .register(registry);
        for (String reason : List.of(DOWN, LAGGING, BEHIND_TOKEN)) {
            registry.counter("genledger.db.replica.bypassed", "reason", reason);
        }
        monitor = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon().name("replica-monitor").factory());
        long every = config.pollInterval().toMillis();
        monitor.scheduleWithFixedDelay(this::measure, 0, every, TimeUnit.MILLISECONDS);
    }

    void stop(@Observes ShutdownEvent stopping) {
        if (monitor != null) {
            monitor.shutdownNow();
        }
    }

    public boolean configured() {
        return pool != null;
    }

    AgroalDataSource pool() {
        if (pool == null) {
            throw new IllegalStateException("no read replica is configured (quarkus.datasource.replica.jdbc.url)");
        }
        return pool;
    }

    /**
     * Why a read with this consistency token (a WAL position, or empty without one) must go to the
     * primary, or null when the replica may answer it. Waits up to the catch-up bound for the replica
     * to replay as far as the token.
     */
    public String bypassReason(OptionalLong token) {
        if (!healthy()) {
            return DOWN;
        }
        if (lagSeconds > config.maxLag().toMillis() / 1000.0) {
            return LAGGING;
        }
        if (token.isPresent() && !awaitReplayed(token.getAsLong())) {
            return BEHIND_TOKEN;
        }
        return null;
    }

    public void bypassed(String reason) {
        registry.counter("genledger.db.replica.bypassed", "reason", reason).increment();
    }

    /** A read on the replica failed for a database reason: bypass it until it answers a poll again. */
    public void failed(Throwable cause) {
        if (standby) {
            LOG.warnf("the read replica failed a read, reads go to the primary until it answers again: %s", cause.getMessage());
        }
        standby = false;
    }

    /** Remembers a primary position this process has seen (a token it issued). */
    void primaryAt(long lsn) {
        if (Long.compareUnsigned(lsn, primaryPosition) > 0) {
            primaryPosition = lsn;
        }
    }

    private boolean healthy() {
        long staleAfter = 3 * TimeUnit.MILLISECONDS.toNanos(config.pollInterval().toMillis()) + TimeUnit.SECONDS.toNanos(1);
        return standby && System.nanoTime() - measuredAt < staleAfter;
    }

    private boolean awaitReplayed(long token) {
        if (Lsn.reached(replayed, token)) {
            return true;
        }
        // A position the primary has not been seen at (a token of the future, or one made when the
        // primary's position could not be read) is not waited for.
        if (token == Lsn.PRIMARY_ONLY || !Lsn.reached(primaryPosition, token)) {
            return false;
        }
        long deadline = System.nanoTime() + config.catchUpWait().toNanos();
        while (System.nanoTime() < deadline) {
            java.util.concurrent.locks.LockSupport.parkNanos(CATCH_UP_STEP_NANOS);
            refreshReplayed();
            if (Lsn.reached(replayed, token)) {
                return true;
            }
        }
        return false;
    }

    /** One waiting read at a time asks the replica; the others use its answer. */
    private void refreshReplayed() {
        if (!refreshing.tryLock()) {
            return;
        }
        try (Connection c = pool.getConnection(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT pg_last_wal_replay_lsn()::text")) {
            rs.next();
            Lsn.parse(rs.getString(1)).ifPresent(lsn -> replayed = lsn);
        } catch (SQLException e) {
            failed(e);
        } finally {
            refreshing.unlock();
        }
    }

    private void measure() {
        OptionalLong primaryNow = primaryInsertPosition();
        primaryNow.ifPresent(lsn -> {
            primaryAt(lsn);
            primarySamples.addLast(new long[] { System.nanoTime(), lsn });
            if (primarySamples.size() > MAX_SAMPLES) {
                primarySamples.removeFirst();
            }
        });
        try (Connection c = pool.getConnection(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
                "SELECT pg_is_in_recovery(), pg_last_wal_replay_lsn()::text")) {
            rs.next();
            OptionalLong position = Lsn.parse(rs.getString(2));
            if (!rs.getBoolean(1) || position.isEmpty()) {
                if (standby) {
                    LOG.warn("the read replica is not a standby in recovery: reads go to the primary");
                }
                standby = false;
                return;
            }
            replayed = position.getAsLong();
            lagSeconds = lag(replayed);
            measuredAt = System.nanoTime();
            if (!standby) {
                LOG.infof("the read replica answers, replayed to %s, %.3f s behind", Lsn.format(replayed), lagSeconds);
            }
            standby = true;
        } catch (SQLException | RuntimeException e) {
            if (standby) {
                LOG.warnf("the read replica does not answer, reads go to the primary: %s", e.getMessage());
            }
            standby = false;
        }
    }

    /**
     * How old the replica's view is, by this process's clock: the time since the latest poll at which
     * the primary had written no more than the replica has now replayed (about 0 when it has replayed
     * what the primary had at this poll). Neither server's clock nor an idle primary skews it.
     */
    private double lag(long replayedNow) {
        while (primarySamples.size() > 1 && Lsn.reached(replayedNow, secondSample()[1])) {
            primarySamples.removeFirst();
        }
        long[] anchor = primarySamples.peekFirst();
        if (anchor == null) {
            return Double.NaN;
        }
        if (Lsn.reached(replayedNow, anchor[1]) && primarySamples.size() == 1) {
            return 0;
        }
        return (System.nanoTime() - anchor[0]) / 1e9;
    }

    private long[] secondSample() {
        var it = primarySamples.iterator();
        it.next();
        return it.next();
    }

    private OptionalLong primaryInsertPosition() {
        try (Connection c = primary.getConnection(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT pg_current_wal_insert_lsn()::text")) {
            rs.next();
            return Lsn.parse(rs.getString(1));
        } catch (SQLException e) {
            return OptionalLong.empty();
        }
    }

    private double lagForMetric() {
        if (healthy() || measuredAt == 0) {
            return lagSeconds;
        }
        return (Double.isNaN(lagSeconds) ? 0 : lagSeconds) + (System.nanoTime() - measuredAt) / 1e9;
    }
}
