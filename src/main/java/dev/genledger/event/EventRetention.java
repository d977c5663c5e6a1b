package dev.genledger.event;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;

import dev.genledger.db.RetentionConfig;
import dev.genledger.db.RetentionStep;

/**
 * Removes, with their deliveries, the events of users the purge anonymises (before the users step),
 * and events older than their own retention period (not the deleted-data one: consumers replay from
 * them) in bounded batches. The service's role may not delete events: the owner's functions do.
 */
@ApplicationScoped
public class EventRetention implements RetentionStep {

    @Inject
    EntityManager em;

    @Inject
    EventsConfig config;

    @Inject
    RetentionConfig retention;

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
        long total = ((Number) em.createNativeQuery("SELECT purge_user_events(now() - make_interval(secs => :seconds))")
                .setParameter("seconds", retention.deleted().toSeconds()).getSingleResult()).longValue();
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
