package dev.genledger.ops;

import io.agroal.api.AgroalDataSource;
import io.agroal.api.AgroalDataSourceMetrics;
import io.agroal.api.configuration.AgroalConnectionPoolConfiguration;
import io.quarkus.runtime.annotations.RegisterForReflection;

/** Live numbers and configuration of an Agroal pool, as operators read them. */
@RegisterForReflection
public record PoolState(int minSize, int maxSize, long acquisitionTimeoutMillis, long active, long available,
        long awaiting, long maxUsed, long created, long destroyed, long flushed, long invalid, long leaksDetected,
        long acquired, long averageAcquireMillis, long maxAcquireMillis, long averageCreationMillis) {

    public static PoolState of(AgroalDataSource ds) {
        AgroalConnectionPoolConfiguration pool = ds.getConfiguration().connectionPoolConfiguration();
        AgroalDataSourceMetrics m = ds.getMetrics();
        return new PoolState(pool.minSize(), pool.maxSize(), pool.acquisitionTimeout().toMillis(), m.activeCount(),
                m.availableCount(), m.awaitingCount(), m.maxUsedCount(), m.creationCount(), m.destroyCount(),
                m.flushCount(), m.invalidCount(), m.leakDetectionCount(), m.acquireCount(),
                m.blockingTimeAverage().toMillis(), m.blockingTimeMax().toMillis(), m.creationTimeAverage().toMillis());
    }

    /** Every connection is in use and callers are queueing for one. */
    public boolean exhausted() {
        return awaiting > 0 && available == 0 && active >= maxSize;
    }
}
