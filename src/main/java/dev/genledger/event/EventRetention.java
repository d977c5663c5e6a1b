package dev.genledger.event;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import dev.genledger.db.PurgeFunctionStep;
import dev.genledger.db.RetentionConfig;

/**
 * Removes, with their deliveries, the events of users the purge anonymises (before the users step),
 * and events older than their own retention period (not the deleted-data one: consumers replay from
 * them) in bounded batches. The service's role may not delete events: the owner's functions do.
 */
@ApplicationScoped
public class EventRetention extends PurgeFunctionStep {

    @Inject
    EventsConfig config;

    EventRetention() {
        super("events", 5, "purge_user_events", RetentionConfig::deleted);
    }

    @Override
    public long purge() {
        long total = super.purge();
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
