package dev.genledger.job;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;

import dev.genledger.db.RetentionConfig;
import dev.genledger.db.RetentionStep;

/**
 * Removes the jobs, transitions and holds of users deleted longer ago than the retention. Before
 * the users' anonymisation.
 */
@ApplicationScoped
public class JobRetention implements RetentionStep {

    @Inject
    EntityManager em;

    @Inject
    RetentionConfig retention;

    @Override
    public String name() {
        return "jobs";
    }

    @Override
    public int order() {
        return 30;
    }

    // The service's role may not delete: the schema owner's function does (V16).
    @Override
    public long purge() {
        return ((Number) em.createNativeQuery("SELECT purge_user_jobs(now() - make_interval(secs => :seconds))")
                .setParameter("seconds", retention.deleted().toSeconds()).getSingleResult()).longValue();
    }
}
