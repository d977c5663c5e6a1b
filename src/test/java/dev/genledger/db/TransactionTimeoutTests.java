package dev.genledger.db;

import static dev.genledger.support.Api.asService;
import static dev.genledger.support.Api.balance;
import static dev.genledger.support.Api.newUserWith;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import dev.genledger.support.Database;
import dev.genledger.support.FrozenBackend;
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
        FrozenBackend.Answer spend = FrozenBackend.spendBehind(user, key, true);
        Response response = spend.response();
        long millis = spend.millis();
        int backend = spend.backend();
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

    @Test
    void aSettlementWhoseFirstReadTimesOutIsATransientFailureNotABug() throws Exception {
        // The settlement's first read (the job's owner, an entity read in a transaction of its own)
        // waits on a backend that answers nothing, and the reaper rolls the transaction back under it.
        // Hibernate finds that rollback when it handles the read's failure and throws it in place of
        // the driver's error: no SQLState, no RollbackException, only Hibernate's message.
        UUID user = newUserWith(100);
        String job = asService().body(Map.of("jobKey", "frozen-" + UUID.randomUUID(), "kind", "quiz", "cost", 10))
                .post("/v1/users/{id}/jobs", user).then().statusCode(201).extract().path("id");
        asService().post("/v1/jobs/{id}/start", job).then().statusCode(200);
        List<FrozenBackend> frozen = new ArrayList<>();
        Response settled;
        long millis;
        try {
            List<Long> backends = Database.queryLongs("SELECT pid FROM pg_stat_activity WHERE application_name = 'genledger'");
            long postmaster = ProcessHandle.of(backends.getFirst()).flatMap(ProcessHandle::parent).orElseThrow().pid();
            for (long pid : backends) {
                frozen.add(FrozenBackend.freeze((int) pid));
            }
            frozen.add(FrozenBackend.freeze((int) postmaster));
            long started = System.nanoTime();
            settled = asService().body(Map.of("resultRef", "quiz:1")).post("/v1/jobs/{id}/succeed", job);
            millis = (System.nanoTime() - started) / 1_000_000;
        } finally {
            for (FrozenBackend backend : frozen) {
                backend.close();
            }
        }
        assertTrue(millis < 10_000, "answered within the deadline: " + millis + " ms");
        assertTrue(settled.statusCode() == 200 || settled.statusCode() == 503,
                "settled, or a transient failure to retry: " + settled.statusCode() + " " + settled.asString());
        asService().body(Map.of("resultRef", "quiz:1")).post("/v1/jobs/{id}/succeed", job).then().statusCode(200);
        assertEquals(1, Database.queryLong("SELECT count(*) FROM credit_ledger WHERE user_id = ? AND kind = 'CAPTURE'", user));
        assertEquals(90, balance(user));
    }
}
