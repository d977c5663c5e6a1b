package dev.genledger.db;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.faulttolerance.api.BeforeRetryHandler;
import org.eclipse.microprofile.faulttolerance.ExecutionContext;
import org.jboss.logging.Logger;

/** Logs and counts every retry by the SQLState that caused it. */
@ApplicationScoped
public class RetryLog implements BeforeRetryHandler {

    private static final Logger LOG = Logger.getLogger(RetryLog.class);

    @Inject
    MeterRegistry registry;

    @Inject
    io.agroal.api.AgroalDataSource dataSource;

    private final java.util.concurrent.atomic.AtomicLong lastFlush = new java.util.concurrent.atomic.AtomicLong();

    @Override
    public void handle(ExecutionContext context) {
        Throwable failure = context.getFailure();
        String sqlState = failure instanceof TransientDatabaseException t && t.sqlState() != null ? t.sqlState()
                : FailureClassifier.firstSqlState(failure).orElse("none");
        String method = context.getMethod().getDeclaringClass().getSimpleName() + "." + context.getMethod().getName();
        org.jboss.logging.MDC.put("sqlState", sqlState);
        LOG.warnf("retrying %s after a transient database failure, SQLState %s: %s", method, sqlState, failure.getMessage());
        registry.counter("genledger.db.retries", "sqlstate", sqlState, "method", method).increment();
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
            dataSource.flush(io.agroal.api.AgroalDataSource.FlushMode.INVALID);
        }
    }
}
