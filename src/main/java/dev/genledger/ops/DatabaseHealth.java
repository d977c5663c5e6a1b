package dev.genledger.ops;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Inject;

import io.agroal.api.AgroalDataSource;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownDelayInitiatedEvent;
import io.quarkus.runtime.StartupEvent;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Liveness;
import org.eclipse.microprofile.health.Readiness;
import org.eclipse.microprofile.health.Startup;
import org.flywaydb.core.Flyway;
import org.jboss.logging.Logger;

/**
 * The three probes. Liveness never touches the database (a database outage must not get every
 * pod restarted); readiness is the cached database check, the pool and the migrations; startup
 * turns UP once migrations ran and the pool holds its minimum of open connections.
 */
@ApplicationScoped
public class DatabaseHealth {

    private static final Logger LOG = Logger.getLogger(DatabaseHealth.class);

    @Inject
    DatabaseProbe probe;

    @Inject
    AgroalDataSource dataSource;

    @Inject
    Flyway flyway;

    @Inject
    MeterRegistry registry;

    private final AtomicBoolean started = new AtomicBoolean();
    private final AtomicBoolean draining = new AtomicBoolean();
    private volatile int pendingMigrations = -1;
    private volatile String schemaVersion;
    /** The last readiness answer: 1 UP, 0 DOWN, -1 before the first probe. */
    private final AtomicInteger lastReady = new AtomicInteger(-1);
    private Counter turnedUp;
    private Counter turnedDown;

    @PostConstruct
    void registerMetrics() {
        // Registered at zero, so an alert's increase() sees a pod's first change too.
        turnedUp = registry.counter("genledger.readiness.changes", "to", "up");
        turnedDown = registry.counter("genledger.readiness.changes", "to", "down");
        registry.gauge("genledger.ready", lastReady);
    }

    void onStart(@Observes StartupEvent event) {
        // Flyway has migrated by now (migrate-at-start runs before StartupEvent).
        var info = flyway.info();
        pendingMigrations = info.pending().length;
        schemaVersion = info.current() == null ? null : info.current().getVersion().getVersion();
        warmPool();
        checkTimeouts();
        started.set(pendingMigrations == 0);
        LOG.infof("started: schema version %s, %d pending migrations, pool warm", schemaVersion, pendingMigrations);
    }

    void onShutdownDelay(@Observes ShutdownDelayInitiatedEvent event) {
        draining.set(true);
        LOG.info("shutting down: readiness is DOWN, finishing in-flight requests");
    }

    /** Opens the pool's minimum of connections now, so the first requests do not pay for it. */
    private void warmPool() {
        int min = dataSource.getConfiguration().connectionPoolConfiguration().minSize();
        java.util.List<java.sql.Connection> held = new java.util.ArrayList<>();
        try {
            for (int i = 0; i < min; i++) {
                held.add(dataSource.getConnection());
            }
        } catch (java.sql.SQLException e) {
            LOG.warnf("could not warm the pool: %s", e.getMessage());
        } finally {
            for (java.sql.Connection c : held) {
                try {
                    c.close();
                } catch (java.sql.SQLException ignored) {
                    // returned to the pool or discarded by it
                }
            }
        }
    }

    /**
     * Behind a pooler the startup {@code options} are dropped and the timeouts must come from the
     * role; without them a stuck statement could hold a connection forever. Say so loudly.
     */
    private void checkTimeouts() {
        try (java.sql.Connection c = dataSource.getConnection(); java.sql.Statement s = c.createStatement();
                java.sql.ResultSet rs = s.executeQuery("SELECT current_setting('statement_timeout'), current_setting('lock_timeout')")) {
            rs.next();
            if ("0".equals(rs.getString(1)) || "0".equals(rs.getString(2))) {
                LOG.warnf("database connections run without timeouts (statement_timeout=%s, lock_timeout=%s): behind"
                        + " PgBouncer set them on the role, see docs/operations.md", rs.getString(1), rs.getString(2));
            }
        } catch (java.sql.SQLException e) {
            LOG.warnf("could not read the session timeouts: %s", e.getMessage());
        }
    }

    public boolean draining() {
        return draining.get();
    }

    public int pendingMigrations() {
        return pendingMigrations;
    }

    public String schemaVersion() {
        return schemaVersion;
    }

    @Produces
    @Liveness
    HealthCheck live() {
        return () -> HealthCheckResponse.named("process").up().build();
    }

    @Produces
    @Readiness
    HealthCheck ready() {
        return () -> {
            DatabaseProbe.Result db = probe.current();
            PoolState pool = PoolState.of(dataSource);
            boolean up = db.up() && !pool.exhausted() && pendingMigrations == 0 && !draining.get();
            recordReadiness(up);
            HealthCheckResponseBuilder r = HealthCheckResponse.named("database").status(up)
                    .withData("reachable", db.up())
                    .withData("latencyMs", db.latencyMillis())
                    .withData("checkedAt", db.checkedAt().toString())
                    .withData("poolActive", pool.active())
                    .withData("poolAvailable", pool.available())
                    .withData("poolAwaiting", pool.awaiting())
                    .withData("poolExhausted", pool.exhausted())
                    .withData("pendingMigrations", pendingMigrations)
                    .withData("draining", draining.get());
            if (db.sqlState() != null) {
                r.withData("sqlState", db.sqlState());
            }
            return r.build();
        };
    }

    /**
     * Counts each change of the readiness answer: a pod flapping between UP and DOWN faster than
     * Prometheus scrapes still shows in the counter, where a sampled gauge would miss it.
     */
    private void recordReadiness(boolean up) {
        int previous = lastReady.getAndSet(up ? 1 : 0);
        if (previous != -1 && previous != (up ? 1 : 0)) {
            (up ? turnedUp : turnedDown).increment();
        }
    }

    @Produces
    @Startup
    HealthCheck startup() {
        return () -> HealthCheckResponse.named("migrations-and-pool").status(started.get())
                .withData("schemaVersion", String.valueOf(schemaVersion))
                .withData("pendingMigrations", pendingMigrations).build();
    }
}
