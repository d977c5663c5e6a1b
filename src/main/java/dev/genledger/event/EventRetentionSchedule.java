package dev.genledger.event;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import io.quarkus.scheduler.Scheduled;
import org.jboss.logging.Logger;

/**
 * Purges old events on a schedule until the retention runner calls {@link EventRetention} as one of
 * its steps. Replicas may run it at once: a batch another replica is deleting fails with a
 * serialization error, which is logged, and the next run goes on.
 */
@ApplicationScoped
public class EventRetentionSchedule {

    private static final Logger LOG = Logger.getLogger(EventRetentionSchedule.class);

    @Inject
    EventRetention retention;

    @Scheduled(identity = "events-purge", every = "${genledger.events.purge-every:1h}", delayed = "1m",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void purge() {
        try {
            long removed = retention.purge(retention.cutoff());
            if (removed > 0) {
                LOG.infof("events purge: %d events past their retention removed", removed);
            }
        } catch (Exception e) {
            // the next run tries again
            LOG.warnf("events purge failed, the next run retries: %s", e.toString());
        }
    }
}
