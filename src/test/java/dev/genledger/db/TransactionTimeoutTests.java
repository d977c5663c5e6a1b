package dev.genledger.db;

import static dev.genledger.support.Api.asService;
import static dev.genledger.support.Api.balance;
import static dev.genledger.support.Api.newUserWith;
import static dev.genledger.support.Api.spendInBackground;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import dev.genledger.support.Database;
import dev.genledger.support.FrozenBackend;
import dev.genledger.support.RowLock;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;

/**
 * A transaction that times out while its statement waits on a server that has vanished: the
 * transaction manager's reaper rolls it back, and before that the pool cancels the statement, for
 * which the driver opens a connection of its own to the server. The request must not wait for that.
 */
@QuarkusTest
@TestProfile(TransactionTimeoutTests.ShortTransactions.class)
class TransactionTimeoutTests {

    public static class ShortTransactions implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            // The reaper comes while the read still waits for its 3 s socket timeout, as it does for a
            // transaction whose slow statement is not its first (in production, timeouts of 3 s both).
            return Map.of("quarkus.transaction-manager.default-transaction-timeout", "1S");
        }
    }

    private static long spends(UUID user) {
        return Database.queryLong("SELECT count(*) FROM credit_ledger WHERE user_id = ? AND kind = 'SPEND'", user);
    }

    @Test
    void aTransactionTimingOutOnAServerThatAcceptsNoConnectionIsAnsweredWithinTheDeadline() throws Exception {
        UUID user = newUserWith(100);
        String key = "unreachable-" + UUID.randomUUID();
        Response response;
        long millis;
        int backend;
        try (RowLock lock = RowLock.onUser(user)) {
            long started = System.nanoTime();
            CompletableFuture<Response> spend = spendInBackground(user, 10, key);
            backend = RowLock.waitingBackend();
            int postmaster = (int) ProcessHandle.of(backend).flatMap(ProcessHandle::parent).orElseThrow().pid();
            // As a server that has vanished: the backend's socket stays silent, and so does a new
            // connection (the cancel's), accepted by the kernel but never served.
            try (FrozenBackend frozen = FrozenBackend.freeze(backend);
                    FrozenBackend frozenPostmaster = FrozenBackend.freeze(postmaster)) {
                lock.commit();
                response = spend.get(30, TimeUnit.SECONDS);
                millis = (System.nanoTime() - started) / 1_000_000;
            }
        }
        assertTrue(millis < 10_000, "answered within the deadline, not after the driver's default 10 s for the "
                + "cancel: " + millis + " ms");
        assertTrue(response.statusCode() == 201 || response.statusCode() == 503,
                "applied, or a transient failure to retry: " + response.statusCode() + " " + response.asString());
        Database.awaitBackendGone(backend);
        // Sent again with its key once the server is back: applied exactly once.
        asService().header("Idempotency-Key", key).body(Map.of("amount", 10, "reason", "in background"))
                .post("/v1/users/{id}/credits/spend", user)
                .then().statusCode(201).body("balanceAfter", equalTo(90));
        assertEquals(90, balance(user));
        assertEquals(1, spends(user));
    }
}
