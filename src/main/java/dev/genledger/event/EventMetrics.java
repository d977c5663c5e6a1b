package dev.genledger.event;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;

import javax.sql.DataSource;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.scheduler.Scheduled;
import org.jboss.logging.Logger;

/**
 * Metrics read from the database, because the events are written by triggers, in whatever
 * transaction made the change: {@code genledger_events_written_total{type}} (events that committed
 * since this replica started counting) and {@code genledger_webhook_backlog_age_seconds{webhook}}
 * (how long the oldest pending delivery of each endpoint has waited; 0 with none). Every replica
 * reports the same values: aggregate them with max, not sum.
 */
@ApplicationScoped
public class EventMetrics {

    private static final Logger LOG = Logger.getLogger(EventMetrics.class);

    @Inject
    DataSource dataSource;

    @Inject
    MeterRegistry registry;

    private final Map<String, Double> backlogAges = new ConcurrentHashMap<>();
    private final AtomicReference<EventCursor> counted = new AtomicReference<>();

    @Scheduled(identity = "event-metrics", every = "${genledger.events.metrics-every:15s}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void refresh() {
        try (Connection c = dataSource.getConnection()) {
            countEvents(c);
            backlog(c);
        } catch (SQLException | RuntimeException e) {
            LOG.debugf("event metrics not refreshed: %s", e.toString());
        }
    }

    private void countEvents(Connection c) throws SQLException {
        EventCursor from = counted.get();
        if (from == null) {
            // counting starts at the end of what has committed so far
            try (PreparedStatement ps = c.prepareStatement("SELECT e.xid::text::bigint, e.id FROM events e "
                    + "WHERE e.xid < pg_snapshot_xmin(pg_current_snapshot()) ORDER BY e.xid DESC, e.id DESC LIMIT 1");
                    ResultSet rs = ps.executeQuery()) {
                counted.set(rs.next() ? new EventCursor(rs.getLong(1), rs.getLong(2)) : EventCursor.START);
            }
            return;
        }
        try (PreparedStatement ps = c.prepareStatement("SELECT e.xid::text::bigint, e.id, e.type FROM events e "
                + "WHERE (e.xid, e.id) > (?::text::xid8, ?) AND e.xid < pg_snapshot_xmin(pg_current_snapshot()) "
                + "ORDER BY e.xid, e.id LIMIT 50000")) {
            ps.setString(1, Long.toString(from.xid()));
            ps.setLong(2, from.id());
            EventCursor last = from;
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    last = new EventCursor(rs.getLong(1), rs.getLong(2));
                    registry.counter("genledger.events.written", "type", rs.getString(3)).increment();
                }
            }
            counted.set(last);
        }
    }

    private void backlog(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                SELECT w.id, coalesce(extract(epoch FROM now() - min(d.queued_at)), 0)
                FROM webhook_endpoints w
                LEFT JOIN webhook_deliveries d ON d.endpoint_id = w.id AND d.status = 'PENDING'
                GROUP BY w.id""");
                ResultSet rs = ps.executeQuery()) {
            Map<String, Double> seen = new ConcurrentHashMap<>();
            while (rs.next()) {
                seen.put(rs.getObject(1, UUID.class).toString(), rs.getDouble(2));
            }
            seen.forEach((endpoint, age) -> {
                if (backlogAges.put(endpoint, age) == null) {
                    Gauge.builder("genledger.webhook.backlog.age", backlogAges, ages -> ages.getOrDefault(endpoint, 0.0))
                            .tag("webhook", endpoint).baseUnit("seconds")
                            .description("How long the endpoint's oldest pending delivery has waited").register(registry);
                }
            });
            backlogAges.keySet().retainAll(seen.keySet());
        }
    }
}
