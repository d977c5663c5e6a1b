package dev.genledger.ops;

import static dev.genledger.support.Api.asAdmin;
import static dev.genledger.support.Api.asService;
import static dev.genledger.support.Api.newUserWith;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import jakarta.inject.Inject;

import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.genledger.support.Database;
import dev.genledger.support.Metrics;
import dev.genledger.support.SaturatedPool;
import dev.genledger.support.StoppablePostgres;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;
import io.restassured.response.Response;

/** The probes against a PostgreSQL that the test stops and starts for real. */
@QuarkusTest
@TestProfile(ProbeTests.StoppableDatabase.class)
class ProbeTests {

    public static class StoppableDatabase implements QuarkusTestProfile {
        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(StoppablePostgres.class));
        }

        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("genledger.health.cache-for", "2S");
        }
    }

    @Inject
    AgroalDataSource api;

    @AfterEach
    void databaseIsBack() throws Exception {
        StoppablePostgres.startDatabase();
    }

    private static Response probe(String which) {
        int port = ConfigProvider.getConfig().getValue("quarkus.management.port", Integer.class);
        return RestAssured.given().port(port).get("/q/health/" + which);
    }

    private static long awaitStatus(String which, int status, long timeoutMillis) throws InterruptedException {
        long started = System.nanoTime();
        while (probe(which).statusCode() != status) {
            if ((System.nanoTime() - started) / 1_000_000 > timeoutMillis) {
                throw new AssertionError(which + " did not answer " + status + " within " + timeoutMillis + " ms: "
                        + probe(which).asString());
            }
            Thread.sleep(100);
        }
        return (System.nanoTime() - started) / 1_000_000;
    }

    @Test
    void startupIsUpOnceMigrationsRanAndThePoolIsWarm() {
        probe("started").then().statusCode(200).body("status", equalTo("UP"))
                .body("checks.find { it.name == 'migrations-and-pool' }.data.schemaVersion", equalTo(Database.latestMigration()))
                .body("checks.find { it.name == 'migrations-and-pool' }.data.pendingMigrations", equalTo(0));
        assertTrue(Metrics.sum("agroal_available_count", "datasource=\"default\"")
                + Metrics.sum("agroal_active_count", "datasource=\"default\"") >= 2, "min-size connections are open");
    }

    @Test
    void readinessIsCachedSoProbesDoNotLoadTheDatabase() throws InterruptedException {
        awaitStatus("ready", 200, 10_000);
        // Each answer says when its database check ran: probes share one check while it is fresh
        // (3 s), so however slow the machine, 30 probes see no more checks than the time allows.
        Set<String> checks = new HashSet<>();
        long started = System.nanoTime();
        for (int i = 0; i < 30; i++) {
            checks.add(probe("ready").then().statusCode(200).extract()
                    .path("checks.find { it.name == 'database' }.data.checkedAt"));
        }
        long seconds = (System.nanoTime() - started) / 1_000_000_000L;
        assertTrue(checks.size() <= seconds / 3 + 2, "30 probes in " + seconds + " s ran " + checks.size() + " checks");
    }

    @Test
    void readinessStaysUpAndFastWhileEveryApiConnectionIsHeldAndStillFollowsTheDatabaseDown() throws Exception {
        awaitStatus("ready", 200, 10_000);
        try (SaturatedPool saturated = SaturatedPool.of(api)) {
            Instant full = Instant.now();
            // Probe until an answer carries a check made with the pool full (the cache is 2 s here),
            // and saw callers queueing: every answer UP, each well within the 1 s that a check
            // waiting for an API connection would have spent before failing.
            Instant checkedAt = Instant.MIN;
            boolean reportedExhausted = false;
            long slowest = 0;
            long deadline = System.nanoTime() + 10_000_000_000L;
            while ((!checkedAt.isAfter(full) || !reportedExhausted) && System.nanoTime() < deadline) {
                long started = System.nanoTime();
                Response ready = probe("ready");
                slowest = Math.max(slowest, (System.nanoTime() - started) / 1_000_000);
                assertEquals(200, ready.statusCode(), ready.asString());
                checkedAt = Instant.parse(ready.path("checks.find { it.name == 'database' }.data.checkedAt"));
                reportedExhausted |= ready.<Boolean>path("checks.find { it.name == 'database' }.data.poolExhausted");
                Thread.sleep(100);
            }
            assertTrue(checkedAt.isAfter(full), "a check ran while every API connection was held");
            assertTrue(reportedExhausted, "the exhausted pool is reported in the readiness data");
            assertTrue(slowest < 1_000, "readiness answered within " + slowest + " ms");

            StoppablePostgres.stopDatabase();
            awaitStatus("ready", 503, 6_000);
            probe("ready").then().body("checks.find { it.name == 'database' }.data.reachable", equalTo(false));
        }
    }

    @Test
    void readinessFollowsTheDatabaseDownAndBackWhileLivenessNeverDoes() throws Exception {
        UUID user = newUserWith(100);
        probe("ready").then().statusCode(200).body("status", equalTo("UP"));
        assertEquals(1, Metrics.sum("genledger_ready"));
        double downs = Metrics.sum("genledger_readiness_changes_total", "to=\"down\"");
        double ups = Metrics.sum("genledger_readiness_changes_total", "to=\"up\"");

        StoppablePostgres.stopDatabase();
        long down = awaitStatus("ready", 503, 6_000);
        probe("ready").then().body("status", equalTo("DOWN"))
                .body("checks.find { it.name == 'database' }.data.reachable", equalTo(false))
                .body("checks.find { it.name == 'database' }.data.sqlState", equalTo("08001"));
        probe("live").then().statusCode(200).body("status", equalTo("UP"));
        assertEquals(0, Metrics.sum("genledger_ready"));

        long started = System.nanoTime();
        Response during = asService().get("/v1/users/{id}/balance", user);
        long millis = (System.nanoTime() - started) / 1_000_000;
        assertEquals(503, during.statusCode(), during.asString());
        assertTrue(during.header("Retry-After") != null);
        assertTrue(millis < 8_000, "answered within the retry budget, not hung: " + millis + " ms");
        probe("live").then().statusCode(200);

        StoppablePostgres.startDatabase();
        long up = awaitStatus("ready", 200, 10_000);
        probe("live").then().statusCode(200);
        // Each change of the answer is counted once, however many probes repeated it (the alert on
        // flapping counts these).
        assertEquals(1, Metrics.sum("genledger_ready"));
        assertEquals(downs + 1, Metrics.sum("genledger_readiness_changes_total", "to=\"down\""));
        assertEquals(ups + 1, Metrics.sum("genledger_readiness_changes_total", "to=\"up\""));
        // The API recovers by itself, no restart: once the circuit breaker lets calls through again.
        long deadline = System.nanoTime() + 15_000_000_000L;
        int status;
        do {
            Thread.sleep(200);
            status = asService().body(Map.of("amount", 10, "reason", "after the outage"))
                    .post("/v1/users/{id}/credits/spend", user).statusCode();
        } while (status != 201 && System.nanoTime() < deadline);
        assertEquals(201, status);
        assertEquals(90, dev.genledger.support.Api.balance(user));
        asAdmin().get("/v1/admin/db").then().statusCode(200).body("lastHealthCheck.up", equalTo(true));
        System.out.printf("readiness DOWN after %d ms, UP again %d ms after the database returned%n", down, up);
    }
}
