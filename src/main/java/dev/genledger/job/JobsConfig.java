package dev.genledger.job;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Settings of generation jobs; environment overrides in application.properties. */
@ConfigMapping(prefix = "genledger.jobs")
public interface JobsConfig {

    /** A job RUNNING longer than this is failed, and its hold released, by the stuck-job sweep. */
    @WithDefault("15M")
    Duration runningDeadline();

    /** Most stuck jobs one sweep fails. */
    @WithDefault("500")
    int sweepBatch();
}
