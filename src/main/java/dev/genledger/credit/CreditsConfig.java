package dev.genledger.credit;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Settings of the credit lanes, the per-user balance locks and lot expiry, and the balance at a point in time; environment overrides in application.properties. */
@ConfigMapping(prefix = "genledger.credits")
public interface CreditsConfig {

    /** The lanes' default, named so that code outside the application's config (tests of the packaged app) agrees. */
    String DEFAULT_LANES = "8";

    /**
     * Lanes grants, spends and refunds queue on (a user always on the same one). Each holds at most
     * one pooled connection at a time: keep it well below the pool size.
     */
    @WithDefault(DEFAULT_LANES)
    int lanes();

    /** Most credit operations a lane applies in one transaction. */
    @WithDefault("64")
    int maxBatch();

    /** Longest wait for a user's in-process lock; past it the caller gets contention (retried, or 503). */
    @WithDefault("2S")
    Duration lockWait();

    /** How often the lot expiry sweep runs on each replica ("off" disables it); one replica at a time does the work. */
    @WithDefault("1m")
    String expiryEvery();

    /** How long after start the first lot expiry sweep waits. */
    @WithDefault("20s")
    String expiryDelay();

    /** Most users whose expired lots one run of the lot expiry sweep takes, in one transaction. */
    @WithDefault("200")
    int expiryBatch();

    /** How far past this replica's clock a balance's {@code at} may be (the caller's clock may run ahead). */
    @WithDefault("5S")
    Duration atSkew();
}
