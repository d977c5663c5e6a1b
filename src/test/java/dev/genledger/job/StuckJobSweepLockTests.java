package dev.genledger.job;

import static dev.genledger.support.Api.asAdmin;
import static dev.genledger.support.Api.asService;
import static dev.genledger.support.Api.balance;
import static dev.genledger.support.Api.inBackground;
import static dev.genledger.support.Api.newUserWith;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.sql.Connection;
import java.sql.PreparedStatement;
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
 * The stuck-job sweep learns its users late (from the stuck jobs), yet runs like every other
 * balance change: holding their balance locks from its first statement. Another replica's balance
 * change on the user, held open as the service runs one (stripe lock, then the UPDATE), makes the
 * sweep wait and then release the hold, without a serialization failure or a retry.
 */
@QuarkusTest
class StuckJobSweepLockTests {

    @AfterEach
    void reconciliationStaysClean() {
        asAdmin().get("/v1/admin/reconciliation").then().statusCode(200).body("mismatches", hasSize(0));
    }

    @Test
    void theSweepWaitsForAnotherReplicasBalanceChangeAndReleasesWithoutARetry() throws Exception {
        UUID user = newUserWith(100);
        String job = asService().body(Map.of("jobKey", "k-" + UUID.randomUUID(), "kind", "quiz", "cost", 30))
                .post("/v1/users/{id}/jobs", user).then().statusCode(201).extract().path("id");
        asService().post("/v1/jobs/{id}/start", job).then().statusCode(200);
        Database.execute("UPDATE generation_jobs SET started_at = now() - interval '1 hour' WHERE id = ?::uuid", job);
        double retries = Metrics.sum("genledger_db_retries_total");
        Response run;
        try (Connection other = Database.connect()) {
            other.setAutoCommit(false);
            other.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            try (Statement s = other.createStatement()) {
                // the user's stripe, as credit.BalanceLocks names it
                s.execute(String.format("LOCK TABLE balance_locks.s%03d IN EXCLUSIVE MODE",
                        Math.floorMod(user.hashCode(), 256)));
            }
            try (PreparedStatement ps = other.prepareStatement("""
                    WITH changed AS (UPDATE users SET balance = balance + 5 WHERE id = ? RETURNING balance),
                    entry AS (INSERT INTO credit_ledger (user_id, amount, balance_after, kind, reason, idempotency_key, actor)
                              SELECT ?, 5, balance, 'GRANT', 'other replica', ?, 'test' FROM changed
                              RETURNING id, user_id)
                    INSERT INTO credit_lots (user_id, ledger_id, category, amount, remaining)
                    SELECT user_id, id, 'paid', 5, 5 FROM entry
                    """)) {
                ps.setObject(1, user);
                ps.setObject(2, user);
                ps.setString(3, "other-" + UUID.randomUUID());
                assertEquals(1, ps.executeUpdate());
            }
            CompletableFuture<Response> sweep = inBackground(() -> asAdmin().post("/v1/admin/housekeeping/run"));
            RowLock.waitingBackend();
            assertFalse(sweep.isDone(), "the sweep waits for the other replica's transaction");
            other.commit();
            run = sweep.get(10, TimeUnit.SECONDS);
        }
        assertEquals(200, run.statusCode(), run.asString());
        assertEquals(1, run.jsonPath().getInt("stuckJobsFailed"));
        assertEquals(retries, Metrics.sum("genledger_db_retries_total"), "no database retry");
        asService().get("/v1/jobs/{id}", job).then().statusCode(200).body("status", equalTo("FAILED"));
        assertEquals(0, Database.queryLong("SELECT held FROM users WHERE id = ?", user));
        assertEquals(105, balance(user));
    }
}
