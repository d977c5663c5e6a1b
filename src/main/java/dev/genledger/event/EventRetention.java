package dev.genledger.event;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;

import dev.genledger.db.RetentionStep;

/**
 * Removes events older than their own retention period (not the deleted-data one: consumers replay
 * from them), with their deliveries, in bounded batches. The service's role may not delete events:
 * the owner's {@code purge_events} does (V23).
 */
@ApplicationScoped
public class EventRetention implements RetentionStep {

    @Inject
    EntityManager em;

    @Inject
    EventsConfig config;

    @Override
    public String name() {
        return "events";
    }

    @Override
    public int order() {
        return 5;
    }

    @Override
    public long purge() {
        long total = 0;
        int removed;
        do {
            removed = ((Number) em.createNativeQuery(
                    "SELECT purge_events(now() - make_interval(secs => :seconds), :batch)")
                    .setParameter("seconds", config.retention().toSeconds())
                    .setParameter("batch", config.purgeBatch()).getSingleResult()).intValue();
            total += removed;
        } while (removed == config.purgeBatch());
        return total;
    }
}
