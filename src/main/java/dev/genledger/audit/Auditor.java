package dev.genledger.audit;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.UUID;

import javax.sql.DataSource;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import dev.genledger.api.Who;

/**
 * Tells the audit triggers who is changing things: sets transaction-local settings that the
 * {@code audit_row_change} trigger copies into every audit row of the transaction. Call it first
 * in every write transaction; also records admin actions that change no audited row.
 */
@ApplicationScoped
public class Auditor {

    @Inject
    DataSource dataSource;

    /** Tags the current transaction (its connection is the one the pool enlisted in it). */
    public void tag(Who who) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            tag(c, who);
        }
    }

    public void tag(Connection c, Who who) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                SELECT set_config('genledger.actor', ?, true), set_config('genledger.client_ip', ?, true),
                       set_config('genledger.user_agent', ?, true), set_config('genledger.request_id', ?, true)
                """)) {
            ps.setString(1, who.actor());
            ps.setString(2, nullToEmpty(who.clientIp()));
            ps.setString(3, nullToEmpty(who.userAgent()));
            ps.setString(4, nullToEmpty(who.requestId()));
            ps.executeQuery().close();
        }
    }

    /** Records an admin action (entity {@code admin}); {@code details} is a JSON object or null. */
    public void adminAction(Connection c, Who who, String action, String targetId, UUID userId, String details)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                INSERT INTO audit_log (actor, client_ip, user_agent, request_id, entity, entity_id, user_id, action,
                                       new_values)
                VALUES (?, ?, ?, ?, 'admin', ?, ?, ?, ?::jsonb)
                """)) {
            ps.setString(1, who.actor());
            ps.setString(2, who.clientIp());
            ps.setString(3, who.userAgent());
            ps.setString(4, who.requestId());
            ps.setString(5, targetId);
            ps.setObject(6, userId);
            ps.setString(7, action);
            ps.setString(8, details);
            ps.executeUpdate();
        }
    }

    private static String nullToEmpty(String s) {
        return s == null ? "" : s;
    }
}
