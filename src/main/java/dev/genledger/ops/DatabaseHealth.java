package dev.genledger.ops;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Inject;

import dev.genledger.db.Sql;
import io.agroal.api.AgroalDataSource;
import io.agroal.api.AgroalDataSource.FlushMode;
import io.agroal.api.configuration.AgroalConnectionPoolConfiguration;
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
 * pod restarted); readiness is the cached database check and the migrations, with the API pool's
 * numbers as data; startup turns UP once migrations ran and the pool holds its minimum of open
 * connections.
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
        AgroalConnectionPoolConfiguration pool = dataSource.getConfiguration().connectionPoolConfiguration();
        dataSource.flush(FlushMode.FILL);
        // Agroal opens them in the background; wait as long as taking them one by one would have.
        long deadline = System.nanoTime() + pool.acquisitionTimeout().toNanos() * Math.max(1, pool.minSize());
        try {
            while (open() < pool.minSize() && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (open() < pool.minSize()) {
            LOG.warnf("could not warm the pool: %d of its minimum %d connections are open", open(), pool.minSize());
        }
    }

    private long open() {
        return dataSource.getMetrics().activeCount() + dataSource.getMetrics().availableCount();
    }

    private record SessionTimeouts(String statement, String lock) {
    }

    /**
     * Behind a pooler the startup {@code options} are dropped and the timeouts must come from the
     * role; without them a stuck statement could hold a connection forever. Say so loudly.
     */
    private void checkTimeouts() {
        try {
            SessionTimeouts t = Sql.onPool(dataSource, sql -> sql.first(
                    "SELECT current_setting('statement_timeout'), current_setting('lock_timeout')",
                    rs -> new SessionTimeouts(rs.getString(1), rs.getString(2)))).orElseThrow();
            if ("0".equals(t.statement()) || "0".equals(t.lock())) {
                LOG.warnf("database connections run without timeouts (statement_timeout=%s, lock_timeout=%s): behind"
                        + " PgBouncer set them on the role, see docs/operations.md", t.statement(), t.lock());
            }
        } catch (Sql.SqlFailure e) {
            LOG.warnf("could not read the session timeouts: %s", e.getCause().getMessage());
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
            // An exhausted pool is reported, not a reason to be DOWN: taking a saturated replica out
            // of the balancer moves its load onto the others, which then saturate in turn.
            boolean up = db.up() && pendingMigrations == 0 && !draining.get();
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
