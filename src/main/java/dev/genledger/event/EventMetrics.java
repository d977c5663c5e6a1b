package dev.genledger.event;

import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import dev.genledger.db.Sql;
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
    Sql sql;

    @Inject
    MeterRegistry registry;

    private final Map<String, Double> backlogAges = new ConcurrentHashMap<>();
    private final AtomicReference<EventCursor> counted = new AtomicReference<>();

    @Scheduled(identity = "event-metrics", every = "${genledger.events.metrics-every:15s}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void refresh() {
        try {
            countEvents();
            backlog();
        } catch (RuntimeException e) {
            LOG.debugf("event metrics not refreshed: %s", e.toString());
        }
    }

    private void countEvents() {
        EventCursor from = counted.get();
        if (from == null) {
            // counting starts at the end of what has committed so far
            counted.set(sql.first("SELECT e.xid::text::bigint, e.id FROM events e "
                    + "WHERE e.xid < pg_snapshot_xmin(pg_current_snapshot()) ORDER BY e.xid DESC, e.id DESC LIMIT 1",
                    rs -> new EventCursor(rs.getLong(1), rs.getLong(2))).orElse(EventCursor.START));
            return;
        }
        EventCursor last = from;
        for (Written event : sql.list("SELECT e.xid::text::bigint, e.id, e.type FROM events e "
                + "WHERE (e.xid, e.id) > (?::text::xid8, ?) AND e.xid < pg_snapshot_xmin(pg_current_snapshot()) "
                + "ORDER BY e.xid, e.id LIMIT 50000", rs -> new Written(new EventCursor(rs.getLong(1), rs.getLong(2)),
                        rs.getString(3)), Long.toString(from.xid()), from.id())) {
            last = event.position();
            registry.counter("genledger.events.written", "type", event.type()).increment();
        }
        counted.set(last);
    }

    private record Written(EventCursor position, String type) {
    }

    private void backlog() {
        Map<String, Double> seen = new ConcurrentHashMap<>();
        sql.list("""
                SELECT w.id, coalesce(extract(epoch FROM now() - min(d.queued_at)), 0)
                FROM webhook_endpoints w
                LEFT JOIN webhook_deliveries d ON d.endpoint_id = w.id AND d.status = 'PENDING'
                GROUP BY w.id""", rs -> Map.entry(rs.getObject(1, UUID.class).toString(), rs.getDouble(2)))
                .forEach(age -> seen.put(age.getKey(), age.getValue()));
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
