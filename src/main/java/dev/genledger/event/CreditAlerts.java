package dev.genledger.event;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.Optional;
import java.util.UUID;

import javax.sql.DataSource;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;

import dev.genledger.db.TranslateFailures;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.runtime.annotations.RegisterForReflection;
import org.jboss.logging.Logger;

/**
 * The thresholds of the credit alerts (credits.low, credits.depleted, credits.recovered), which the
 * database applies on every change of a balance (V23): the deployment's, and a user's override.
 */
@ApplicationScoped
@TranslateFailures
public class CreditAlerts {

    private static final Logger LOG = Logger.getLogger(CreditAlerts.class);

    /** A user's threshold and whether it is their own or the deployment's. */
    @RegisterForReflection
    public record Threshold(UUID userId, long lowThreshold, boolean overridden) {
    }

    @Inject
    DataSource dataSource;

    @Inject
    EventsConfig config;

    /**
     * The triggers read the threshold from the database, so every path that changes a balance uses
     * this one. Replicas starting together race on the row; the loser's value is the same setting,
     * so its serialization failure is only logged.
     */
    void writeDeploymentThreshold(@Observes StartupEvent start) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "UPDATE credit_alert_settings SET low_threshold = ? WHERE low_threshold <> ?")) {
            ps.setLong(1, config.creditsLowThreshold());
            ps.setLong(2, config.creditsLowThreshold());
            ps.executeUpdate();
        } catch (SQLException e) {
            LOG.warnf("the credit alert threshold was not written (another replica may have written it): %s",
                    e.getSQLState());
        }
    }

    @Transactional(rollbackOn = SQLException.class)
    public Optional<Threshold> get(UUID userId) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement("""
                SELECT t.low_threshold, (SELECT s.low_threshold FROM credit_alert_settings s)
                FROM users u LEFT JOIN credit_alerts t ON t.user_id = u.id
                WHERE u.id = ? AND u.deleted_at IS NULL""")) {
            ps.setObject(1, userId);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                long own = rs.getLong(1);
                boolean overridden = !rs.wasNull();
                return Optional.of(new Threshold(userId, overridden ? own : rs.getLong(2), overridden));
            }
        }
    }

    /** Sets (or, with null, removes) a live user's own threshold; empty when there is no such user. */
    @Transactional(rollbackOn = SQLException.class)
    public Optional<Threshold> set(UUID userId, Long lowThreshold) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT 1 FROM users WHERE id = ? AND deleted_at IS NULL FOR KEY SHARE")) {
                ps.setObject(1, userId);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        return Optional.empty();
                    }
                }
            }
            try (PreparedStatement ps = c.prepareStatement("""
                    INSERT INTO credit_alerts (user_id, low_threshold) VALUES (?, ?)
                    ON CONFLICT (user_id) DO UPDATE SET low_threshold = EXCLUDED.low_threshold, updated_at = now()""")) {
                ps.setObject(1, userId);
                if (lowThreshold == null) {
                    ps.setNull(2, Types.BIGINT);
                } else {
                    ps.setLong(2, lowThreshold);
                }
                ps.executeUpdate();
            }
        }
        return get(userId);
    }
}
