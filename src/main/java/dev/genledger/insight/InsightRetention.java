package dev.genledger.insight;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;

import dev.genledger.db.RetentionConfig;
import dev.genledger.db.RetentionStep;

/**
 * Removes insights deleted, of a quiz deleted, or of a user deleted longer ago than the
 * retention. Before the quizzes they refer to.
 */
@ApplicationScoped
public class InsightRetention implements RetentionStep {

    @Inject
    EntityManager em;

    @Inject
    RetentionConfig retention;

    @Override
    public String name() {
        return "insights";
    }

    @Override
    public int order() {
        return 10;
    }

    // The service's role may not delete: the schema owner's function does (V16).
    @Override
    public long purge() {
        return ((Number) em.createNativeQuery("SELECT purge_insights(now() - make_interval(secs => :seconds))")
                .setParameter("seconds", retention.deleted().toSeconds()).getSingleResult()).longValue();
    }
}
