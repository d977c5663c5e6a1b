package dev.genledger.db;

import static dev.genledger.support.Api.asAdmin;
import static dev.genledger.support.Api.asService;
import static dev.genledger.support.Api.balance;
import static dev.genledger.support.Api.newUserWith;
import static dev.genledger.support.Api.spendInBackground;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.genledger.support.Database;
import dev.genledger.support.FrozenBackend;
import dev.genledger.support.Lanes;
import dev.genledger.support.LostCommitAck;
import dev.genledger.support.Metrics;
import dev.genledger.support.RowLock;
import io.quarkus.test.junit.DisabledOnIntegrationTest;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;

/**
 * Faults made for real against the running PostgreSQL: a concurrent commit that forces a
 * serialization failure, a backend killed mid-request, a lock that outlives every retry.
 */
@QuarkusTest
class TransientFailureTests {

    @AfterEach
    void reconciliationStaysClean() {
        asAdmin().get("/v1/admin/reconciliation").then().statusCode(200).body("mismatches", hasSize(0));
    }

    private static long spends(UUID user) {
        return Database.queryLong("SELECT count(*) FROM credit_ledger WHERE user_id = ? AND kind = 'SPEND'", user);
    }

    @Test
    void aSerializationFailureOnTheFirstAttemptIsRetriedInANewTransaction() throws Exception {
        UUID user = newUserWith(100);
        double before = Metrics.retries("40001");
        CompletableFuture<Response> spend;
        try (RowLock lock = RowLock.onUser(user)) {
            spend = spendInBackground(user, 10);
            RowLock.waitingBackend();
            // The service's snapshot predates this commit: its UPDATE must fail with 40001.
            lock.commit();
        }
        spend.get(10, TimeUnit.SECONDS).then().statusCode(201).body("balanceAfter", equalTo(90));
        assertEquals(90, balance(user));
        assertEquals(1, spends(user));
        assertTrue(Metrics.retries("40001") > before, "the retry was counted under SQLState 40001");
    }

    @Test
    void aBackendKilledMidRequestIsRetriedOnAnotherConnection() throws Exception {
        UUID user = newUserWith(100);
        double before = Metrics.retries("57P01") + Metrics.retries("08006") + Metrics.retries("08003");
        CompletableFuture<Response> spend;
        try (RowLock lock = RowLock.onUser(user)) {
            spend = spendInBackground(user, 10);
            RowLock.terminate(RowLock.waitingBackend());
        }
        spend.get(10, TimeUnit.SECONDS).then().statusCode(201).body("balanceAfter", equalTo(90));
        assertEquals(90, balance(user));
        assertEquals(1, spends(user));
        assertTrue(Metrics.retries("57P01") + Metrics.retries("08006") + Metrics.retries("08003") > before);
    }

    @Test
    void aTransactionOfSeveralUsersThatLosesItsConnectionIsRetriedByItsLaneNotByItsCallers() throws Exception {
        UUID first = newUserWith(100);
        List<UUID> mates = Lanes.newUsersOn(Lanes.of(first), 3, 100);
        double callersLostConnection = lostConnectionRetries("CreditResource.spend");
        double laneLostConnection = lostConnectionRetries("CreditLanes.batch");
        List<CompletableFuture<Response>> mateSpends = new ArrayList<>();
        try (RowLock blockMate = RowLock.onUser(mates.getFirst())) {
            CompletableFuture<Response> firstSpend;
            try (RowLock blockFirst = RowLock.onUser(first)) {
                firstSpend = spendInBackground(first, 10);
                RowLock.waitingBackend();
                // The lane is busy with the first user: the others queue and then go in one batch.
                for (UUID mate : mates) {
                    mateSpends.add(spendInBackground(mate, 10));
                }
                Thread.sleep(300);
                blockFirst.commit();
            }
            firstSpend.get(10, TimeUnit.SECONDS).then().statusCode(201);
            // The batch of the three waits for the first mate's row: kill its connection.
            RowLock.terminate(RowLock.waitingBackend());
        }
        for (int i = 0; i < mates.size(); i++) {
            mateSpends.get(i).get(10, TimeUnit.SECONDS).then().statusCode(201).body("balanceAfter", equalTo(90));
            assertEquals(90, balance(mates.get(i)));
            assertEquals(1, spends(mates.get(i)));
        }
        assertTrue(lostConnectionRetries("CreditLanes.batch") > laneLostConnection, "the lane ran the batch again");
        assertEquals(callersLostConnection, lostConnectionRetries("CreditResource.spend"),
                "no caller saw the lost connection");
    }

    private static double lostConnectionRetries(String method) {
        return Metrics.sum("genledger_db_retries_total", "method=\"" + method + "\"", "sqlstate=\"57P01\"")
                + Metrics.sum("genledger_db_retries_total", "method=\"" + method + "\"", "sqlstate=\"08006\"");
    }

    @Test
    void aSpendWhoseCommitAnswerIsLostIsAppliedOnceAndAnsweredWithItsRow() throws Exception {
        UUID user = newUserWith(100);
        Response response;
        try (LostCommitAck lost = LostCommitAck.arm()) {
            CompletableFuture<Response> spend = spendInBackground(user, 10);
            // The spend's COMMIT lands; the connection breaks before its answer reaches the service.
            lost.cut(lost.waitingCommit());
            response = spend.get(10, TimeUnit.SECONDS);
        }
        response.then().statusCode(201).body("balanceAfter", equalTo(90));
        assertEquals(90, balance(user));
        assertEquals(1, spends(user));
        assertEquals(Database.queryLong("SELECT id FROM credit_ledger WHERE user_id = ? AND kind = 'SPEND'", user),
                response.<Number> path("id").longValue(), "answered with the row the lost commit wrote");
    }

    @Test
    void aBackendThatStopsAnsweringIsGivenUpAfterTheSocketTimeoutAndTheSpendAppliedOnce() throws Exception {
        UUID user = newUserWith(100);
        String key = "frozen-" + UUID.randomUUID();
        // The backend waiting for the row freezes, keeping its connection open and silent: no
        // error ever comes back, and the thread reading the socket cannot be interrupted.
        FrozenBackend.Answer spend = FrozenBackend.spendBehind(user, key, false);
        Response response = spend.response();
        long millis = spend.millis();
        int backend = spend.backend();
        response.then().statusCode(201).body("balanceAfter", equalTo(90));
        assertTrue(millis < 6_000, "the frozen read was given up after the 3 s socket timeout and the spend "
                + "retried on another connection: " + millis + " ms");
        // Thawed, the backend finds its client gone and ends without committing its copy.
        Database.awaitBackendGone(backend);
        assertEquals(90, balance(user));
        assertEquals(1, spends(user));
        asService().header("Idempotency-Key", key).body(Map.of("amount", 10, "reason", "in background"))
                .post("/v1/users/{id}/credits/spend", user)
                .then().statusCode(201).header("Idempotent-Replayed", "true").body("balanceAfter", equalTo(90));
        assertEquals(1, spends(user));
    }

    @Test
    void aLockHeldLongerThanEveryRetryGivesAFast503WithRetryAfter() throws Exception {
        UUID user = newUserWith(100);
        Response response;
        long started = System.nanoTime();
        try (RowLock ignored = RowLock.onUser(user)) {
            response = spendInBackground(user, 10).get(20, TimeUnit.SECONDS);
        }
        long millis = (System.nanoTime() - started) / 1_000_000;
        response.then().statusCode(503).contentType("application/problem+json")
                .header("Retry-After", "1")
                .body("type", equalTo("https://genledger.dev/problems/service-unavailable"))
                .body("cause", equalTo("database-contention"));
        assertTrue(millis < 8_000, "answered within the retry budget, not hung: " + millis + " ms");
        assertEquals(100, balance(user));
        assertEquals(0, spends(user));
    }

    @Test
    void aUniqueViolationIsAnsweredAt409WithoutARetry() {
        String email = "dup-" + UUID.randomUUID() + "@example.com";
        asService().body(Map.of("email", email)).post("/v1/users").then().statusCode(201);
        double before = Metrics.sum("genledger_db_retries_total", "method=\"UserResource.create\"");
        double ftBefore = Metrics.sum("ft_retry_retries_total", "UserResource.create");
        asService().body(Map.of("email", email)).post("/v1/users").then().statusCode(409);
        assertEquals(before, Metrics.sum("genledger_db_retries_total", "method=\"UserResource.create\""));
        assertEquals(ftBefore, Metrics.sum("ft_retry_retries_total", "UserResource.create"));
    }

    @Test
    void dataTheDatabaseRefusesIsA400WithoutARetry() {
        UUID user = newUserWith(10);
        double before = Metrics.sum("ft_retry_retries_total", "CreditResource.spend");
        asService().body(Map.of("amount", 1, "reason", "nul\u0000byte")).post("/v1/users/{id}/credits/spend", user)
                .then().statusCode(400).body("type", equalTo("https://genledger.dev/problems/invalid-data"));
        assertEquals(before, Metrics.sum("ft_retry_retries_total", "CreditResource.spend"));
        assertEquals(10, balance(user));
    }

    @Test
    @DisabledOnIntegrationTest("a unit test of FailureClassifier: it runs in the test JVM and never calls the application")
    void theClassifierRetriesOnlyTransientStates() {
        for (String state : new String[] { "40001", "40P01", "55P03", "57P01", "57P02", "57P03", "53300", "08006", "08001" }) {
            assertTrue(FailureClassifier.classify(new java.sql.SQLException("x", state)).transientFailure(), state);
        }
        for (String state : new String[] { "23505", "23503", "23514", "22001", "22021", "42P01", "42601", "P0001" }) {
            assertEquals(FailureClassifier.Kind.PERMANENT,
                    FailureClassifier.classify(new RuntimeException(new java.sql.SQLException("x", state))).kind(), state);
        }
        assertEquals(FailureClassifier.Kind.TIMED_OUT,
                FailureClassifier.classify(new java.sql.SQLException("x", "57014")).kind(), "503, never retried");
        assertEquals(FailureClassifier.Kind.CONTENTION, FailureClassifier
                .classify(new RuntimeException("outer", new RuntimeException(new java.sql.SQLException("x", "40001"))))
                .kind(), "found deep in the cause chain");
    }

    @Test
    void aConnectionLostAtCommitIsRetriedThoughOnlyASuppressedExceptionSaysSo() {
        // What Narayana throws when the backend is terminated while COMMIT runs (seen under the chaos
        // suite's pg_terminate_backend): the driver's exception is only a suppressed one. Retrying is
        // safe: the retry re-runs the whole transaction and the idempotency key finds a commit that did land.
        Exception xa = new Exception("Error trying to transactionCommit local transaction",
                new java.sql.SQLException("FATAL: terminating connection due to administrator command", "57P01"));
        Exception rollback = new Exception("ARJUNA016053: Could not commit transaction.");
        rollback.addSuppressed(xa);
        FailureClassifier.Classification c = FailureClassifier.classify(new RuntimeException("Error invoking subclass method", rollback));
        assertEquals(FailureClassifier.Kind.UNAVAILABLE, c.kind());
        assertEquals("57P01", c.sqlState());
    }

    @Test
    void aTransactionRolledBackByItsTimeoutIsRetriedButARolledBackConstraintViolationIsNot() {
        // Seen under the chaos suite's packet loss: the transaction timeout fired while a statement
        // waited on the network, and COMMIT found the transaction gone. Nothing was committed.
        assertEquals(FailureClassifier.Kind.UNAVAILABLE, FailureClassifier.classify(new RuntimeException(
                new jakarta.transaction.RollbackException("ARJUNA016102: The transaction is not active!"))).kind());
        jakarta.transaction.RollbackException withCause = new jakarta.transaction.RollbackException("rolled back");
        withCause.initCause(new java.sql.SQLException("duplicate key", "23505"));
        assertEquals(FailureClassifier.Kind.PERMANENT, FailureClassifier.classify(withCause).kind());
    }
}
