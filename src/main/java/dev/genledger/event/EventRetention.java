package dev.genledger.event;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;

import javax.sql.DataSource;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;

import dev.genledger.db.TranslateFailures;
import io.quarkus.narayana.jta.runtime.TransactionConfiguration;

/**
 * Removes events older than the retention period, with their deliveries, through the owner's
 * {@code purge_events} (the service's role may not delete events), in bounded batches. Meant as a
 * step of the retention runner; until it is one, {@link EventRetentionSchedule} calls it.
 */
@ApplicationScoped
@TranslateFailures
public class EventRetention {

    @Inject
    DataSource dataSource;

    @Inject
    EventsConfig config;

    /** The cutoff the retention period gives now. */
    public Instant cutoff() {
        return Instant.now().minus(config.retention());
    }

    /** Removes the events that occurred before {@code cutoff}; returns how many went. */
    @Transactional(rollbackOn = SQLException.class)
    @TransactionConfiguration(timeoutFromConfigProperty = "genledger.retention.transaction-timeout")
    public long purge(Instant cutoff) throws SQLException {
        long total = 0;
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement("SELECT purge_events(?, ?)")) {
            ps.setTimestamp(1, Timestamp.from(cutoff));
            ps.setInt(2, config.purgeBatch());
            int removed;
            do {
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    removed = rs.getInt(1);
                }
                total += removed;
            } while (removed == config.purgeBatch());
        }
        return total;
    }
}
