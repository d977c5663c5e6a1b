package dev.genledger.limit;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;

/**
 * Per-caller limits of one replica (a fleet of N replicas admits N times as much). Callers are
 * keyed by token subject with a budget per role; the public routes by client IP. Defaults and
 * their environment variables are in application.properties.
 */
@ConfigMapping(prefix = "genledger.limits")
public interface LimitsConfig {

    /** Off: every request is admitted and no limit headers are sent. */
    @WithDefault("true")
    boolean enabled();

    /** Most callers tracked at once; beyond it the least recently seen are forgotten (their budget starts afresh). */
    @WithDefault("10000")
    int maxCallers();

    Budget user();

    Budget service();

    Budget admin();

    /** Unauthenticated public routes, per client IP. */
    @WithName("public")
    Budget anonymous();

    interface Budget {
        /** Requests admitted per second, and the burst a caller may send at once after being idle for a second. */
        int requestsPerSecond();

        /** Requests of one caller being processed at the same time. */
        int inFlight();
    }
}
