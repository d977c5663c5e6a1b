package dev.genledger.event;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** The events outbox: alerts, retention. Environment overrides are in application.properties. */
@ConfigMapping(prefix = "genledger.events")
public interface EventsConfig {

    /**
     * Available credits at or below which a user's credits are low (credits.low); per-user
     * overrides take precedence. Written to the database at startup, so every writer uses it.
     */
    @WithDefault("10")
    long creditsLowThreshold();

    /** How long events stay readable (pull API, replay) before the purge removes them. */
    @WithDefault("P7D")
    Duration retention();

    /** How often the event and backlog metrics are read from the database. */
    @WithDefault("15s")
    String metricsEvery();

    /** Most events one purge statement removes (the purge repeats until none are left). */
    @WithDefault("5000")
    int purgeBatch();
}
