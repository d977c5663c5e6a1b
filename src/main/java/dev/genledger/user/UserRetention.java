package dev.genledger.user;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;

import dev.genledger.db.RetentionConfig;
import dev.genledger.db.RetentionStep;

/**
 * Turns users deleted longer ago than the retention into anonymised tombstones (their ledger
 * keeps referring to them), once the steps before have removed their data.
 */
@ApplicationScoped
public class UserRetention implements RetentionStep {

    @Inject
    EntityManager em;

    @Inject
    RetentionConfig retention;

    @Override
    public String name() {
        return "users";
    }

    @Override
    public int order() {
        return 40;
    }

    // The service's role may not delete: the schema owner's function does (V16).
    @Override
    public long purge() {
        return ((Number) em.createNativeQuery("SELECT purge_users(now() - make_interval(secs => :seconds))")
                .setParameter("seconds", retention.deleted().toSeconds()).getSingleResult()).longValue();
    }
}
