package dev.genledger.ops;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import dev.genledger.api.Who;
import dev.genledger.db.RetentionConfig;
import dev.genledger.db.Stopping;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import io.quarkus.scheduler.Scheduler;
import org.jboss.logging.Logger;

/**
 * Runs the retention purge on {@link RetentionConfig#cron()}; the advisory lock in {@link Retention}
 * makes it once across replicas. Scheduled at startup, so the cron's name and default stay in the
 * config interface.
 */
@ApplicationScoped
public class RetentionSchedule {

    private static final Logger LOG = Logger.getLogger(RetentionSchedule.class);

    @Inject
    Retention retention;

    @Inject
    RetentionConfig config;

    @Inject
    Scheduler scheduler;

    @Inject
    MeterRegistry registry;

    void schedule(@Observes StartupEvent started) {
        if (!"off".equals(config.cron())) {
            scheduler.newJob("retention-purge").setCron(config.cron())
                    .setConcurrentExecution(Scheduled.ConcurrentExecution.SKIP).setTask(execution -> purge()).schedule();
        }
    }

    /**
     * As in {@link dev.genledger.db.OncePerFleet#scheduled}: no purge begins once the stop has, and
     * one the stop cuts off is no failure.
     */
    void purge() {
        if (Stopping.begun()) {
            return;
        }
        try {
            retention.run("scheduled", Who.system("retention"));
        } catch (RuntimeException e) {
            if (Stopping.begun()) {
                LOG.debugf("scheduled retention purge cut off by the stop: %s", e.toString());
                return;
            }
            // the next run tries again; the failure is logged and counted
            LOG.errorf(e, "scheduled retention purge failed");
            registry.counter("genledger.retention.runs", "trigger", "scheduled", "outcome", "failed").increment();
        }
    }
}
