package dev.genledger.db;

import java.util.concurrent.atomic.AtomicLong;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import io.agroal.api.AgroalDataSource;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.faulttolerance.api.BeforeRetryHandler;
import org.eclipse.microprofile.faulttolerance.ExecutionContext;
import org.jboss.logging.Logger;
import org.jboss.logging.MDC;

/** Logs and counts every retry by the SQLState that caused it. */
@ApplicationScoped
public class RetryLog implements BeforeRetryHandler {

    private static final Logger LOG = Logger.getLogger(RetryLog.class);

    @Inject
    MeterRegistry registry;

    @Inject
    AgroalDataSource dataSource;

    private final AtomicLong lastFlush = new AtomicLong();

    @Override
    public void handle(ExecutionContext context) {
        retrying(context.getMethod().getDeclaringClass().getSimpleName() + "." + context.getMethod().getName(),
                context.getFailure());
    }

    /** Logs and counts a retry of {@code what}; also for retries made outside fault tolerance. */
    public void retrying(String what, Throwable failure) {
        String sqlState = failure instanceof TransientDatabaseException t && t.sqlState() != null ? t.sqlState()
                : FailureClassifier.firstSqlState(failure).orElse("none");
        MDC.put("sqlState", sqlState);
        LOG.warnf("retrying %s after a transient database failure, SQLState %s: %s", what, sqlState, failure.getMessage());
        registry.counter("genledger.db.retries", "sqlstate", sqlState, "method", what).increment();
        if (sqlState.startsWith("08") || sqlState.startsWith("57P0")) {
            evictDeadConnections();
        }
    }

    /**
     * A lost connection usually means its siblings are lost too (a pooler restart, a failover):
     * have the pool validate its idle connections now, so the retry does not pick another dead
     * one. At most once a second.
     */
    private void evictDeadConnections() {
        long now = System.nanoTime();
        long last = lastFlush.get();
        if (now - last > 1_000_000_000L && lastFlush.compareAndSet(last, now)) {
            dataSource.flush(AgroalDataSource.FlushMode.INVALID);
        }
    }
}
