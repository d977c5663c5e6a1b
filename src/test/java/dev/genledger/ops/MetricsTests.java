package dev.genledger.ops;

import static dev.genledger.support.Api.asAdmin;
import static dev.genledger.support.Api.asService;
import static dev.genledger.support.Api.newUserWith;
import static org.hamcrest.Matchers.hasSize;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

import dev.genledger.support.Database;
import dev.genledger.support.Metrics;
import dev.genledger.support.Tools;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;

@QuarkusTest
class MetricsTests {

    private static int managementPort() {
        return ConfigProvider.getConfig().getValue("quarkus.management.port", Integer.class);
    }

    @Test
    void probesAndMetricsAreServedOnTheManagementPortOnly() {
        for (String path : List.of("/q/metrics", "/q/health/live", "/q/health/ready", "/q/health/started")) {
            RestAssured.given().port(managementPort()).get(path).then().statusCode(200);
            RestAssured.given().get(path).then().statusCode(404);
        }
    }

    @Test
    void theScrapeIsValidForPromtoolAndCoversPoolFaultToleranceHttpJvmAndBusiness() throws Exception {
        UUID user = newUserWith(50);
        String key = UUID.randomUUID().toString();
        for (int i = 0; i < 2; i++) { // the second is an idempotent replay
            asService().header("Idempotency-Key", key).body(Map.of("amount", 5, "reason", "quiz"))
                    .post("/v1/users/{id}/credits/spend", user).then().statusCode(201);
        }
        // What `curl | promtool check metrics` sees: the Prometheus text format. (Prometheus itself
        // negotiates OpenMetrics, which is also what Quarkus answers to Accept: */*.)
        String text = RestAssured.given().port(managementPort()).header("Accept", "text/plain; version=0.0.4")
                .get("/q/metrics").then().statusCode(200).contentType(org.hamcrest.Matchers.startsWith("text/plain"))
                .extract().asString();

        for (String name : List.of(
                // Agroal pool, both pools
                "agroal_active_count{datasource=\"default\"", "agroal_available_count{datasource=\"admin\"",
                "agroal_awaiting_count", "agroal_max_used_count", "agroal_acquire_count_total",
                "agroal_blocking_time_average_milliseconds", "agroal_creation_time_average_milliseconds",
                "agroal_leak_detection_count_total", "agroal_flush_count_total", "agroal_invalid_count_total",
                // fault tolerance, per method
                "ft_retry_calls_total", "ft_circuitbreaker_state_current", "ft_circuitbreaker_opened_total",
                "ft_timeout_calls_total",
                // HTTP with histogram buckets, JVM, process
                "http_server_requests_seconds_bucket", "jvm_memory_used_bytes", "process_cpu_usage",
                // business
                "genledger_credits_total{kind=\"grant\"", "genledger_credits_total{kind=\"spend\"",
                "genledger_idempotent_replays_total")) {
            assertTrue(text.contains(name), "the scrape has " + name);
        }

        Path scrape = Path.of("target", "metrics-scrape.txt");
        Files.writeString(scrape, text);
        String promtool = Tools.require("promtool", "prometheus");
        ProcessBuilder check = new ProcessBuilder(promtool, "check", "metrics").redirectInput(scrape.toFile())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.PIPE);
        Process p = check.start();
        String output = new String(p.getInputStream().readAllBytes());
        int exit = p.waitFor();
        // 0: clean; 3: parsed fine, with best-practice lint findings. Those left come from the
        // libraries' own metric names (Agroal's *_count gauges, SmallRye's camelCase labels).
        assertTrue(exit == 0 || exit == 3, "promtool could not parse the scrape (exit " + exit + "):\n" + output);
        List<String> ours = output.lines().filter(l -> l.startsWith("genledger_")).toList();
        assertEquals(List.of(), ours, "lint findings on the service's own metrics");
    }

    @Test
    void everyMetricTheAlertsReadIsScraped() throws Exception {
        newUserWith(10); // the pool, fault tolerance and HTTP metrics of a request
        asAdmin().get("/v1/admin/reconciliation").then().statusCode(200);
        String text = RestAssured.given().port(managementPort()).get("/q/metrics").then().statusCode(200).extract().asString();
        Set<String> scraped = text.lines().filter(l -> !l.startsWith("#")).map(l -> l.split("[{ ]", 2)[0])
                .collect(Collectors.toSet());
        // Counters with a label per event appear with their first event; MetricsTests' neighbours
        // assert them (TransientFailureTests: retries by SQLState; PgBouncerTests: 503 by cause).
        Set<String> firstEvent = Set.of("genledger_db_retries_total", "genledger_http_unavailable_total");
        for (String family : firstEvent) {
            String meter = family.replaceFirst("_total$", "").replace('_', '.');
            assertTrue(OpsMetrics.HELP.containsKey(meter), family + " is one of the service's metrics");
        }
        // Published once a replica or a webhook exists; ReplicaReadsTests and WebhookTests read them.
        Set<String> otherFeatures = Set.of("genledger_db_replica_lag_seconds", "genledger_webhook_backlog_age_seconds");
        for (String metric : AlertRulesTests.metricsUsed()) {
            if (!firstEvent.contains(metric) && !otherFeatures.contains(metric)) {
                assertTrue(scraped.contains(metric), "the alerts read " + metric + ", which /q/metrics does not serve");
            }
        }
    }

    @Test
    void reconciliationPublishesWhatItFound() {
        UUID user = newUserWith(40);
        double runs = Metrics.sum("genledger_reconciliation_runs_total");
        asAdmin().get("/v1/admin/reconciliation").then().statusCode(200).body("mismatches", hasSize(0));
        assertEquals(0, Metrics.sum("genledger_reconciliation_mismatches"));
        try {
            Database.execute("UPDATE users SET balance = balance + 7 WHERE id = ?", user);
            int found = asAdmin().get("/v1/admin/reconciliation").then().statusCode(200).extract().path("mismatches.size()");
            assertTrue(found >= 1);
            assertEquals(found, Metrics.sum("genledger_reconciliation_mismatches"));
        } finally {
            Database.execute("UPDATE users SET balance = balance - 7 WHERE id = ?", user);
        }
        asAdmin().get("/v1/admin/reconciliation").then().statusCode(200).body("mismatches", hasSize(0));
        assertEquals(0, Metrics.sum("genledger_reconciliation_mismatches"));
        assertEquals(runs + 3, Metrics.sum("genledger_reconciliation_runs_total"));
    }
}
