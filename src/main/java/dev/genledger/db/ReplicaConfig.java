package dev.genledger.db;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * The read replica's routing. The replica itself is the datasource {@code replica}
 * ({@code QUARKUS_DATASOURCE_REPLICA_JDBC_URL}); without a URL there is none and every read is on
 * the primary. Environment overrides: {@code GENLEDGER_REPLICA_MAX_LAG} and so on.
 */
@ConfigMapping(prefix = "genledger.replica")
public interface ReplicaConfig {

    /** A replica further behind the primary than this is bypassed: reads go to the primary. */
    @WithDefault("5S")
    Duration maxLag();

    /**
     * Longest a read carrying a consistency token waits for the replica to replay that far before
     * the primary answers it instead.
     */
    @WithDefault("200MS")
    Duration catchUpWait();

    /** How often the replica's replay position and lag are measured. */
    @WithDefault("1S")
    Duration pollInterval();
}
