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

    /** The hold's time to live of a job created without {@code holdTtl}. */
    @WithDefault("10M")
    Duration holdTtl();

    /** The longest {@code holdTtl} a job may ask for. */
    @WithDefault("1H")
    Duration holdTtlMax();

    /** How often the hold expiry sweep runs on each replica ("off" disables it); one replica at a time does the work. */
    @WithDefault("10s")
    String expiryEvery();

    /** How long after start the first hold expiry sweep waits. */
    @WithDefault("15s")
    String expiryDelay();

    /** Most expired holds one run of the hold expiry sweep releases. */
    @WithDefault("500")
    int expiryBatch();

    /** Most jobs one user may have in flight, by the role of the caller creating one. */
    InFlight maxInFlight();

    /**
     * Jobs in flight are PENDING or RUNNING with a hold not yet run out; a create beyond the
     * limit is 409 jobs-in-flight-exceeded.
     */
    interface InFlight {
        @WithDefault("50")
        int service();

        @WithDefault("50")
        int admin();

        default int of(String role) {
            return role.equals("admin") ? admin() : service();
        }
    }
}
