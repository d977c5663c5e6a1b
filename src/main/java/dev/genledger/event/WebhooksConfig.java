package dev.genledger.event;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Webhook delivery. Environment overrides are in application.properties. */
@ConfigMapping(prefix = "genledger.webhooks")
public interface WebhooksConfig {

    /** Off: this replica delivers nothing (the outbox still records every event). */
    @WithDefault("true")
    boolean enabled();

    /** How often the worker looks for due deliveries (the schedule reads it as ${genledger.webhooks.poll-every}). */
    @WithDefault("1s")
    String pollEvery();

    @WithDefault("3s")
    Duration connectTimeout();

    /** A receiver that has not answered within this is a failed attempt (a hanging receiver). */
    @WithDefault("10s")
    Duration requestTimeout();

    /**
     * How long a claimed delivery is reserved for the worker that claimed it; if that worker dies,
     * another sends it after this. Keep it above connect-timeout + request-timeout.
     */
    @WithDefault("60s")
    Duration lease();

    /** First retry delay; each further one doubles, up to retry-max-delay, with jitter. */
    @WithDefault("5s")
    Duration retryBaseDelay();

    @WithDefault("1h")
    Duration retryMaxDelay();

    /** How long a delivery is retried before it is dead-lettered. */
    @WithDefault("24h")
    Duration retryFor();

    /** Requests in flight to one endpoint from one replica. */
    @WithDefault("4")
    int concurrencyPerEndpoint();

    /**
     * Whether endpoints may point at loopback, private, link-local or otherwise internal addresses
     * (refused by default: the service must not be a way into the network it runs in).
     */
    @WithDefault("false")
    boolean allowPrivateTargets();

    /** How long the secret an endpoint had before a rotation still signs deliveries. */
    @WithDefault("24h")
    Duration secretOverlap();

    /**
     * Keys that encrypt endpoints' secrets at rest ({@link WebhookSecretCipher}), each the base64 of
     * 32 random bytes: the first encrypts, all decrypt. None: secrets are stored as given.
     */
    Optional<List<String>> secretKeys();
}
