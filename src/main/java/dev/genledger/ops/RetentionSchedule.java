package dev.genledger.ops;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import dev.genledger.api.Who;
import dev.genledger.db.RetentionConfig;
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

    void purge() {
        try {
            retention.run("scheduled", Who.system("retention"));
        } catch (RuntimeException e) {
            // the next run tries again; the failure is logged and counted
            LOG.errorf(e, "scheduled retention purge failed");
            registry.counter("genledger.retention.runs", "trigger", "scheduled", "outcome", "failed").increment();
        }
    }
}
