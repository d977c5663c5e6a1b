package dev.genledger.audit;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;

import dev.genledger.db.RetentionConfig;
import dev.genledger.db.RetentionStep;

/**
 * Removes audit history older than its own retention. Last: the steps before scrub audit rows of
 * what they remove.
 */
@ApplicationScoped
public class AuditRetention implements RetentionStep {

    @Inject
    EntityManager em;

    @Inject
    RetentionConfig retention;

    @Override
    public String name() {
        return "auditEntries";
    }

    @Override
    public int order() {
        return 50;
    }

    // The service's role may not delete: the schema owner's function does (V12).
    @Override
    public long purge() {
        return ((Number) em.createNativeQuery("SELECT purge_audit_log(now() - make_interval(secs => :seconds))")
                .setParameter("seconds", retention.audit().toSeconds()).getSingleResult()).longValue();
    }
}
