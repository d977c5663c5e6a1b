package dev.genledger.ops;

import java.time.Instant;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import dev.genledger.db.FailureClassifier;
import dev.genledger.db.Sql;
import io.agroal.api.AgroalDataSource;
import io.quarkus.agroal.DataSource;
import org.jboss.logging.Logger;
import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * A bounded "is the database there" check whose result is kept for a few seconds, so that
 * probes from the kubelet (and every replica's load balancer) do not load the database, and a
 * slow database cannot make probes pile up: concurrent callers share one check in flight. The
 * check runs on a pool of its own, of one connection ({@code quarkus.datasource.probe}), so that a
 * saturated API pool cannot keep it waiting for a connection and turn readiness DOWN under load.
 */
@ApplicationScoped
public class DatabaseProbe {

    private static final Logger LOG = Logger.getLogger(DatabaseProbe.class);

    /** The outcome of one check. {@code error} and {@code sqlState} are null when it was up. */
    @RegisterForReflection
    public record Result(boolean up, long latencyMillis, Instant checkedAt, String error, String sqlState) {
    }

    @Inject
    @DataSource("probe")
    AgroalDataSource pool;

    @Inject
    HealthConfig config;

    private volatile Result last;

    /** The last result while it is fresh, else a new check. */
    public Result current() {
        Result r = last;
        if (fresh(r)) {
            return r;
        }
        synchronized (this) {
            r = last;
            if (fresh(r)) {
                return r;
            }
            Result next = check();
            if (r != null && r.up() != next.up()) {
                if (next.up()) {
                    LOG.infof("database reachable again (%d ms)", next.latencyMillis());
                } else {
                    LOG.warnf("database unreachable: SQLState %s: %s", next.sqlState(), next.error());
                }
            }
            last = next;
            return next;
        }
    }

    private boolean fresh(Result r) {
        return r != null && r.checkedAt().plus(config.cacheFor()).isAfter(Instant.now());
    }

    private Result check() {
        long started = System.nanoTime();
        // The pool's acquisition timeout bounds the wait for a connection, the query timeout
        // the check itself (and the driver's connectTimeout/socketTimeout the network).
        try {
            Sql.onPool(pool, sql -> {
                sql.execute("SELECT 1", config.checkTimeout());
                return null;
            });
            return new Result(true, millisSince(started), Instant.now(), null, null);
        } catch (RuntimeException e) {
            String state = FailureClassifier.firstSqlState(e).orElse(null);
            // the driver's or the pool's words, not the wrapper's
            Throwable reason = e instanceof Sql.SqlFailure ? e.getCause() : e;
            return new Result(false, millisSince(started), Instant.now(), String.valueOf(reason.getMessage()), state);
        }
    }

    private static long millisSince(long started) {
        return (System.nanoTime() - started) / 1_000_000;
    }
}
