package dev.genledger.ops;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** The readiness probe's database check (GENLEDGER_HEALTH_CACHE_FOR, GENLEDGER_HEALTH_CHECK_TIMEOUT). */
@ConfigMapping(prefix = "genledger.health")
public interface HealthConfig {

    /** How long one check's result answers every probe, so probes don't load the database. */
    @WithDefault("3S")
    Duration cacheFor();

    /** The longest a check's query may take (whole seconds, at least one). */
    @WithDefault("1S")
    Duration checkTimeout();
}
