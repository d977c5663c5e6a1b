package dev.genledger.quiz;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;

import dev.genledger.db.RetentionConfig;
import dev.genledger.db.RetentionStep;

/**
 * Removes quizzes deleted, or of a user deleted, longer ago than the retention. Before the jobs
 * they name as their source.
 */
@ApplicationScoped
public class QuizRetention implements RetentionStep {

    @Inject
    EntityManager em;

    @Inject
    RetentionConfig retention;

    @Override
    public String name() {
        return "quizzes";
    }

    @Override
    public int order() {
        return 20;
    }

    // The service's role may not delete: the schema owner's function does (V16).
    @Override
    public long purge() {
        return ((Number) em.createNativeQuery("SELECT purge_quizzes(now() - make_interval(secs => :seconds))")
                .setParameter("seconds", retention.deleted().toSeconds()).getSingleResult()).longValue();
    }
}
