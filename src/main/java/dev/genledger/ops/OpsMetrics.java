package dev.genledger.ops;

import java.util.Map;

import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;

/**
 * Latency histograms for HTTP requests (so dashboards can compute any percentile across
 * replicas), and the help text of the service's own metrics.
 */
public class OpsMetrics {

    static final Map<String, String> HELP = Map.ofEntries(
            Map.entry("genledger.credits", "Credits moved by applied changes, by kind (grant, spend, refund, transfer, hold, capture, release)"),
            Map.entry("genledger.idempotent.replays", "Requests answered from an earlier result by their idempotency key"),
            Map.entry("genledger.db.retries", "Transaction retries after a transient database failure, by SQLState and method"),
            Map.entry("genledger.jobs.transitions", "Generation jobs entering a status (PENDING when created), by status"),
            Map.entry("genledger.http.unavailable", "503 answers, by cause"),
            Map.entry("genledger.credits.batch.size", "Credit changes applied per transaction of a user's lane"),
            Map.entry("genledger.pool.flushes", "Pool flushes requested by operators"),
            Map.entry("genledger.retention.runs", "Retention purge runs, by trigger and outcome (ran, skipped, failed)"),
            Map.entry("genledger.retention.purged", "Rows removed by the retention purge, by step"),
            Map.entry("genledger.maintenance.runs", "Maintenance runs (VACUUM ANALYZE and view refresh)"),
            Map.entry("genledger.ready", "The last readiness answer: 1 UP, 0 DOWN, -1 before the first probe"),
            Map.entry("genledger.readiness.changes", "Changes of the readiness answer, by the state it changed to (up, down)"),
            Map.entry("genledger.reconciliation.mismatches", "Mismatches found by the last reconciliation of balances, ledger and holds"),
            Map.entry("genledger.reconciliation.runs", "Reconciliations of balances, ledger and holds"),
            Map.entry("genledger.events.written", "Events the outbox committed, by type (read from the database: the same on every replica)"),
            Map.entry("genledger.webhook.deliveries", "Webhook delivery attempts of this replica, by outcome (delivered, failed, dead)"));

    @Produces
    @Singleton
    MeterFilter latencyHistograms() {
        return new MeterFilter() {
            @Override
            public DistributionStatisticConfig configure(Meter.Id id, DistributionStatisticConfig config) {
                if (id.getName().equals("http.server.requests")) {
                    return DistributionStatisticConfig.builder().percentilesHistogram(true)
                            .minimumExpectedValue(1_000_000.0).maximumExpectedValue(30_000_000_000.0)
                            .build().merge(config);
                }
                return config;
            }
        };
    }

    @Produces
    @Singleton
    MeterFilter helpTexts() {
        return new MeterFilter() {
            @Override
            public Meter.Id map(Meter.Id id) {
                String help = id.getDescription() == null ? HELP.get(id.getName()) : null;
                return help == null ? id
                        : new Meter.Id(id.getName(), Tags.of(id.getTagsAsIterable()), id.getBaseUnit(), help, id.getType());
            }
        };
    }
}
