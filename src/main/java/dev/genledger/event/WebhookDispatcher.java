package dev.genledger.event;

import java.lang.management.ManagementFactory;
import java.time.Duration;

import javax.sql.DataSource;

import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import dev.genledger.db.Stopping;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.Startup;
import io.quarkus.scheduler.Scheduled;
import org.jboss.logging.Logger;

/**
 * This replica's {@link DeliveryWorker}, polled on a schedule; every replica runs one, and the
 * database divides the work between them. Counts attempts by outcome
 * ({@code genledger_webhook_deliveries_total{outcome}}).
 */
@Startup // the worker's class sets the HTTP client's Host permission, which must precede any use of the client
@ApplicationScoped
public class WebhookDispatcher {

    private static final Logger LOG = Logger.getLogger(WebhookDispatcher.class);

    @Inject
    DataSource dataSource;

    @Inject
    WebhooksConfig config;

    @Inject
    MeterRegistry registry;

    @Inject
    WebhookSecretCipher secrets;

    private DeliveryWorker worker;

    @PostConstruct
    void start() {
        worker = new DeliveryWorker(dataSource, DeliveryWorker.Settings.from(config, secrets),
                ManagementFactory.getRuntimeMXBean().getName(),
                outcome -> registry.counter("genledger.webhook.deliveries", "outcome",
                        outcome.name().toLowerCase(java.util.Locale.ROOT)).increment());
    }

    @Scheduled(identity = "webhook-deliveries", every = "${genledger.webhooks.poll-every:1s}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void poll() {
        if (!config.enabled() || Stopping.begun()) {
            return;
        }
        try {
            worker.poll();
        } catch (RuntimeException e) {
            if (Stopping.begun()) {
                // the container went away under a poll that began just before the stop: nothing to report
                LOG.debugf("webhook poll cut off by the stop: %s", e.toString());
            } else {
                // the next poll tries again; deliveries wait in the database meanwhile
                LOG.warnf("webhook poll failed, the next one retries: %s", e.toString());
            }
        }
    }

    /** Sends in flight get a moment to finish; the rest are sent again by another replica when their lease runs out. */
    @PreDestroy
    void stop() {
        worker.close(Duration.ofSeconds(2));
    }
}
