package dev.genledger.db;

import static dev.genledger.support.Api.asService;
import static dev.genledger.support.Api.balance;
import static dev.genledger.support.Api.newUserWith;
import static dev.genledger.support.Api.spendInBackground;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledIfSystemProperty;

import dev.genledger.support.Database;
import dev.genledger.support.Lanes;
import dev.genledger.support.RowLock;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;

/**
 * Saturation is answered, not queued: with every pooled connection busy the next request gets a
 * fast 503, and a statement that runs into statement_timeout is a 503 too, neither retried.
 */
@QuarkusTest
@TestProfile(PoolExhaustionTests.TwoConnections.class)
@DisabledIfSystemProperty(named = "quarkus.test.profile", matches = ".*pgbouncer.*", disabledReason = "stretches the"
        + " lock and statement timeouts through the connections' startup options, which PgBouncer ignores (the role sets them)")
class PoolExhaustionTests {

    public static class TwoConnections implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            // Lock waits outlast the 1 s acquisition timeout, so held connections stay held; past 2 s
            // the statement timeout (before the lock and transaction timeouts) ends them.
            return Map.of("quarkus.datasource.jdbc.max-size", "2", "quarkus.datasource.jdbc.min-size", "1",
                    "quarkus.datasource.jdbc.initial-size", "1", "genledger.lock-timeout", "10s",
                    "genledger.statement-timeout", "2s");
        }
    }

    @Test
    void anExhaustedPoolIsAFast503WithRetryAfterAndHeldRequestsStillFinish() throws Exception {
        UUID a = newUserWith(10);
        UUID b = newUserWith(10);
        while (Lanes.of(b) == Lanes.of(a)) {
            // two lanes, so the two held spends hold two connections
            b = newUserWith(10);
        }
        UUID c = newUserWith(10);
        List<CompletableFuture<Response>> held;
        try (RowLock lockA = RowLock.onUser(a); RowLock lockB = RowLock.onUser(b)) {
            held = List.of(spendInBackground(a, 1), spendInBackground(b, 1));
            awaitWaitingBackends(2);
            long started = System.nanoTime();
            asService().get("/v1/users/{id}/balance", c).then().statusCode(503)
                    .contentType("application/problem+json")
                    .header("Retry-After", "1")
                    .body("cause", equalTo("pool-exhausted"));
            long millis = (System.nanoTime() - started) / 1_000_000;
            assertTrue(millis < 3_000, "answered after the acquisition timeout, not queued: " + millis + " ms");
        }
        for (CompletableFuture<Response> response : held) {
            response.get(15, TimeUnit.SECONDS).then().statusCode(201);
        }
        assertEquals(9, balance(a));
        assertEquals(9, balance(b));
        asService().get("/v1/users/{id}/balance", c).then().statusCode(200).body("balance", equalTo(10));
    }

    private static void awaitWaitingBackends(int count) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (System.nanoTime() < deadline) {
            if (Database.queryLong("SELECT count(*) FROM (" + RowLock.WAITING + ") w") >= count) {
                return;
            }
            Thread.sleep(10);
        }
        throw new AssertionError("the service's connections never all started waiting");
    }

    @Test
    void aStatementTimeoutIsA503WithoutARetryAndAppliesNothing() throws Exception {
        UUID user = newUserWith(10);
        double retriesBefore = dev.genledger.support.Metrics.sum("ft_retry_retries_total", "CreditResource.spend");
        Response response;
        try (RowLock ignored = RowLock.onUser(user)) {
            response = spendInBackground(user, 1).get(15, TimeUnit.SECONDS);
        }
        response.then().statusCode(503).header("Retry-After", "1").body("cause", equalTo("database-timeout"));
        assertEquals(retriesBefore, dev.genledger.support.Metrics.sum("ft_retry_retries_total", "CreditResource.spend"));
        assertEquals(10, balance(user));
    }
}
