package dev.genledger.db;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * How long deleted data and audit history are kept, and when the purge runs. Environment overrides:
 * the name in upper case, e.g. GENLEDGER_RETENTION_DELETED.
 */
@ConfigMapping(prefix = "genledger.retention")
public interface RetentionConfig {

    /** Soft-deleted users, quizzes and insights are purged this long after their deletion. */
    @WithDefault("30D")
    Duration deleted();

    /** Audit history older than this is deleted. */
    @WithDefault("90D")
    Duration audit();

    /** When every replica tries the purge (a Quartz cron; {@code off}: never); one of them does it. */
    @WithDefault("0 17 3 * * ?")
    String cron();

    /** The purge's transaction timeout. */
    @WithDefault("60S")
    Duration transactionTimeout();
}
