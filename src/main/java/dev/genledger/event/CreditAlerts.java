package dev.genledger.event;

import java.util.Optional;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;

import dev.genledger.db.Sql;
import dev.genledger.db.TranslateFailures;
import dev.genledger.user.LiveUsers;
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
    Sql sql;

    @Inject
    LiveUsers users;

    @Inject
    EventsConfig config;

    /**
     * The triggers read the threshold from the database, so every path that changes a balance uses
     * this one. Replicas starting together race on the row; the loser's value is the same setting,
     * so its serialization failure is only logged.
     */
    void writeDeploymentThreshold(@Observes StartupEvent start) {
        try {
            sql.update("UPDATE credit_alert_settings SET low_threshold = ? WHERE low_threshold <> ?",
                    config.creditsLowThreshold(), config.creditsLowThreshold());
        } catch (Sql.SqlFailure e) {
            LOG.warnf("the credit alert threshold was not written (another replica may have written it): %s",
                    e.sqlState());
        }
    }

    @Transactional
    public Optional<Threshold> get(UUID userId) {
        if (!users.exists(userId)) {
            return Optional.empty();
        }
        return Optional.of(threshold(userId));
    }

    /** Sets (or, with null, removes) a live user's own threshold; empty when there is no such user. */
    @Transactional
    public Optional<Threshold> set(UUID userId, Long lowThreshold) {
        if (!users.lock(userId)) {
            return Optional.empty();
        }
        sql.update("""
                INSERT INTO credit_alerts (user_id, low_threshold) VALUES (?, ?)
                ON CONFLICT (user_id) DO UPDATE SET low_threshold = EXCLUDED.low_threshold, updated_at = now()""",
                userId, lowThreshold);
        return Optional.of(threshold(userId));
    }

    private Threshold threshold(UUID userId) {
        return sql.first("""
                SELECT t.low_threshold, s.low_threshold
                FROM credit_alert_settings s LEFT JOIN credit_alerts t ON t.user_id = ?""", rs -> {
            long own = rs.getLong(1);
            boolean overridden = !rs.wasNull();
            return new Threshold(userId, overridden ? own : rs.getLong(2), overridden);
        }, userId).orElseThrow();
    }
}
