package dev.genledger.ops;

import static dev.genledger.support.Api.asAdmin;
import static dev.genledger.support.Api.asService;
import static dev.genledger.support.Api.newUserWith;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import dev.genledger.db.DatabaseRoles;
import dev.genledger.support.Concurrently;
import dev.genledger.support.Database;
import dev.genledger.support.Metrics;
import dev.genledger.support.PgBouncer;
import io.quarkus.test.junit.QuarkusTest;

/**
 * Behind PgBouncer in transaction mode: the settings it needs, and a pooler restart under load.
 * Run with {@code ./mvnw test -Ppgbouncer}, which also runs every other test through the pooler.
 */
@QuarkusTest
@Tag("pgbouncer")
class PgBouncerTests {

    @Test
    void theServiceTalksThroughThePoolerWithTheRoleTimeoutsInForce() throws Exception {
        newUserWith(10);
        String url = org.eclipse.microprofile.config.ConfigProvider.getConfig()
                .getValue("quarkus.datasource.jdbc.url", String.class);
        assertTrue(url.contains(":" + PgBouncer.port() + "/"), "the API pool connects through PgBouncer: " + url);
        // No startup options pass PgBouncer; the role's settings do.
        asAdmin().get("/v1/admin/db").then().statusCode(200)
                .body("sessionSettings.statement_timeout", equalTo("2000ms"))
                .body("sessionSettings.lock_timeout", equalTo("1000ms"));
        // As the service's role, which carries the timeouts (the test's superuser does not).
        try (Connection c = Database.connect(DatabaseRoles.RUNTIME); Statement s = c.createStatement()) {
            long started = System.nanoTime();
            try {
                s.execute("SELECT pg_sleep(5)");
                throw new AssertionError("the statement timeout did not apply through PgBouncer");
            } catch (SQLException e) {
                assertEquals("57014", e.getSQLState());
                assertTrue((System.nanoTime() - started) / 1_000_000 < 4_000);
            }
        }
    }

    @jakarta.inject.Inject
    io.smallrye.faulttolerance.api.CircuitBreakerMaintenance circuitBreakers;

    @org.junit.jupiter.api.AfterEach
    void closeCircuits() {
        circuitBreakers.resetAll(); // whatever this test did, the next class starts afresh
    }

    @Test
    void aPoolerRestartMidLoadFailsNoRequest() throws Exception {
        circuitBreakers.resetAll(); // failures other test classes left in the rolling windows
        int threads = 4;
        List<UUID> users = new ArrayList<>();
        for (int i = 0; i < threads; i++) {
            users.add(newUserWith(1_000_000));
        }
        double retriesBefore = Metrics.sum("genledger_db_retries_total");
        AtomicBoolean running = new AtomicBoolean(true);
        Thread restarter = Thread.ofPlatform().start(() -> {
            try {
                Thread.sleep(1_500);
                PgBouncer.restart();
                Thread.sleep(2_500);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                running.set(false);
            }
        });
        List<List<Integer>> statuses = Concurrently.run(threads, i -> {
            List<Integer> mine = new ArrayList<>();
            while (running.get()) {
                mine.add(asService().body(Map.of("amount", 1, "reason", "load"))
                        .post("/v1/users/{id}/credits/spend", users.get(i)).statusCode());
            }
            return mine;
        });
        restarter.join();

        long requests = statuses.stream().mapToLong(List::size).sum();
        List<Integer> failed = statuses.stream().flatMap(List::stream).filter(s -> s != 201).toList();
        assertEquals(List.of(), failed, "no request failed out of " + requests);
        long spent = 0;
        for (UUID u : users) {
            spent += Database.queryLong("SELECT count(*) FROM credit_ledger WHERE user_id = ? AND kind = 'SPEND'", u);
        }
        assertEquals(requests, spent, "every answered spend is in the ledger once");
        assertTrue(Metrics.sum("genledger_db_retries_total") > retriesBefore, "the restart was felt and retried");
        asAdmin().get("/v1/admin/reconciliation").then().statusCode(200).body("mismatches", hasSize(0));
    }
}
