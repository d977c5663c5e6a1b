package dev.genledger.audit;

import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;

import dev.genledger.api.Who;
import org.hibernate.query.NativeQuery;

/**
 * Tells the audit triggers who is changing things: sets transaction-local settings that the
 * {@code audit_row_change} trigger copies into every audit row of the transaction. Call it first
 * in every write transaction; also records admin actions that change no audited row.
 */
@ApplicationScoped
public class Auditor {

    private static final String TAG = """
            SELECT set_config('genledger.actor', ?, true), set_config('genledger.client_ip', ?, true),
                   set_config('genledger.user_agent', ?, true), set_config('genledger.request_id', ?, true)
            """;

    @Inject
    EntityManager em;

    /** Tags the current transaction. */
    public void tag(Who who) {
        em.createNativeQuery(TAG).setParameter(1, who.actor()).setParameter(2, nullToEmpty(who.clientIp()))
                .setParameter(3, nullToEmpty(who.userAgent())).setParameter(4, nullToEmpty(who.requestId()))
                .getSingleResult();
    }

    /** Records an admin action (entity {@code admin}); {@code details} is a JSON object or null. */
    public void adminAction(Who who, String action, String targetId, UUID userId, String details) {
        // Typed parameters: a null one must still reach PostgreSQL as text, uuid or jsonb.
        NativeQuery<?> insert = em.createNativeQuery("""
                INSERT INTO audit_log (actor, client_ip, user_agent, request_id, entity, entity_id, user_id, action,
                                       new_values)
                VALUES (:actor, :ip, :agent, :request, 'admin', :target, :user, :action, CAST(:details AS jsonb))
                """).unwrap(NativeQuery.class);
        insert.setParameter("actor", who.actor()).setParameter("ip", who.clientIp(), String.class)
                .setParameter("agent", who.userAgent(), String.class)
                .setParameter("request", who.requestId(), String.class).setParameter("target", targetId)
                .setParameter("user", userId, UUID.class).setParameter("action", action)
                .setParameter("details", details, String.class).executeUpdate();
    }

    private static String nullToEmpty(String s) {
        return s == null ? "" : s;
    }
}
