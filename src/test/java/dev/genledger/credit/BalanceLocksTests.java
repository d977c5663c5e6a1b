package dev.genledger.credit;

import static dev.genledger.support.Api.asAdmin;
import static dev.genledger.support.Api.asService;
import static dev.genledger.support.Api.balance;
import static dev.genledger.support.Api.inBackground;
import static dev.genledger.support.Api.ledgerRows;
import static dev.genledger.support.Api.newUserWith;
import static dev.genledger.support.Api.spendInBackground;
import static org.hamcrest.Matchers.hasSize;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.genledger.support.Database;
import dev.genledger.support.Metrics;
import dev.genledger.support.RowLock;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;

/**
 * Another replica's balance change, held open in the test's own transaction exactly as the service
 * runs one (the stripe lock first, then the UPDATE), must make the service's transaction on that
 * user wait and then succeed: no serialization failure, no retry. Without the stripe lock the
 * service's UPDATE waits on the row, finds it changed after its snapshot and fails with 40001.
 */
@QuarkusTest
class BalanceLocksTests {

    @AfterEach
    void reconciliationStaysClean() {
        asAdmin().get("/v1/admin/reconciliation").then().statusCode(200).body("mismatches", hasSize(0));
    }

    /** A grant by "another replica": stripe lock, balance change, ledger row and lot, not yet committed. */
    private static final class OtherReplica implements AutoCloseable {
        private final Connection c;

        OtherReplica(UUID user, long amount) throws SQLException {
            c = Database.connect();
            c.setAutoCommit(false);
            c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            try (Statement s = c.createStatement()) {
                s.execute("LOCK TABLE " + BalanceLocks.table(BalanceLocks.stripe(user)) + " IN EXCLUSIVE MODE");
            }
            try (PreparedStatement ps = c.prepareStatement("""
                    WITH changed AS (UPDATE users SET balance = balance + ? WHERE id = ? RETURNING balance),
                    entry AS (INSERT INTO credit_ledger (user_id, amount, balance_after, kind, reason, idempotency_key, actor)
                              SELECT ?, ?, balance, 'GRANT', 'other replica', ?, 'test' FROM changed
                              RETURNING id, user_id, amount)
                    INSERT INTO credit_lots (user_id, ledger_id, category, amount, remaining)
                    SELECT user_id, id, 'paid', amount, amount FROM entry
                    """)) {
                ps.setLong(1, amount);
                ps.setObject(2, user);
                ps.setObject(3, user);
                ps.setLong(4, amount);
                ps.setString(5, "other-" + UUID.randomUUID());
                assertEquals(1, ps.executeUpdate());
            }
        }

        void commit() throws SQLException {
            c.commit();
        }

        @Override
        public void close() throws SQLException {
            c.rollback();
            c.close();
        }
    }

    private static double retries() {
        return Metrics.sum("genledger_db_retries_total");
    }

    /** Starts the request while the other replica holds the user, checks it waits, then commits the other. */
    private static Response waitingBehindOtherReplica(UUID user, long grant,
            java.util.function.Supplier<CompletableFuture<Response>> request) throws Exception {
        try (OtherReplica other = new OtherReplica(user, grant)) {
            CompletableFuture<Response> response = request.get();
            RowLock.waitingBackend();
            assertFalse(response.isDone(), "the service waits for the other replica's transaction");
            other.commit();
            return response.get(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void aSpendWaitsForAnotherReplicasBalanceChangeAndSucceedsWithoutARetry() throws Exception {
        UUID user = newUserWith(10);
        double before = retries();
        Response spend = waitingBehindOtherReplica(user, 5, () -> spendInBackground(user, 7));
        assertEquals(201, spend.statusCode(), spend.asString());
        assertEquals(8, spend.jsonPath().getLong("balanceAfter"), "the spend saw the other replica's grant");
        assertEquals(before, retries(), "no database retry");
        assertEquals(8, balance(user));
        assertEquals(3, ledgerRows(user));
    }

    @Test
    void aTransferWaitsForAnotherReplicasBalanceChangeAndSucceedsWithoutARetry() throws Exception {
        UUID from = newUserWith(10);
        UUID to = newUserWith(0);
        double before = retries();
        Response transfer = waitingBehindOtherReplica(from, 5, () -> inBackground(() -> asService()
                .body(Map.of("fromUserId", from, "toUserId", to, "amount", 15, "reason", "across replicas"))
                .post("/v1/transfers")));
        assertEquals(201, transfer.statusCode(), transfer.asString());
        assertEquals(before, retries(), "no database retry");
        assertEquals(0, balance(from));
        assertEquals(15, balance(to));
    }

    @Test
    void aJobHoldAndItsCaptureWaitForAnotherReplicasBalanceChangeAndSucceedWithoutARetry() throws Exception {
        UUID user = newUserWith(10);
        double before = retries();
        Response created = waitingBehindOtherReplica(user, 5, () -> inBackground(() -> asService()
                .body(Map.of("jobKey", "k-" + UUID.randomUUID(), "kind", "quiz", "cost", 8))
                .post("/v1/users/{id}/jobs", user)));
        assertEquals(201, created.statusCode(), created.asString());
        String job = created.jsonPath().getString("id");
        asService().post("/v1/jobs/{id}/start", job).then().statusCode(200);
        Response captured = waitingBehindOtherReplica(user, 2, () -> inBackground(() -> asService()
                .body(Map.of("resultRef", "quiz:1")).post("/v1/jobs/{id}/succeed", job)));
        assertEquals(200, captured.statusCode(), captured.asString());
        assertEquals(before, retries(), "no database retry");
        assertEquals(9, balance(user));
        assertEquals(0, Database.queryLong("SELECT held FROM users WHERE id = ?", user));
    }
}
