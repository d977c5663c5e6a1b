package dev.genledger.ops;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import dev.genledger.api.Who;
import io.quarkus.scheduler.Scheduled;
import org.jboss.logging.Logger;

/** Runs the retention purge on a schedule; the advisory lock in {@link Retention} makes it once across replicas. */
@ApplicationScoped
public class RetentionSchedule {

    private static final Logger LOG = Logger.getLogger(RetentionSchedule.class);

    @Inject
    Retention retention;

    @Inject
    io.micrometer.core.instrument.MeterRegistry registry;

    @Scheduled(identity = "retention-purge", cron = "${genledger.retention.cron}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
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
