package dev.genledger.credit;

import static dev.genledger.support.Api.asAdmin;
import static dev.genledger.support.Api.asService;
import static dev.genledger.support.Api.balance;
import static dev.genledger.support.Api.ledgerRows;
import static dev.genledger.support.Api.newUserWith;
import static dev.genledger.support.Api.spendInBackground;
import static org.hamcrest.Matchers.hasSize;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.genledger.support.Concurrently;
import dev.genledger.support.Database;
import dev.genledger.support.Lanes;
import dev.genledger.support.Metrics;
import dev.genledger.support.RowLock;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;

@QuarkusTest
class CreditConcurrencyTests {

    @AfterEach
    void reconciliationStaysClean() {
        asAdmin().get("/v1/admin/reconciliation").then().statusCode(200).body("mismatches", hasSize(0));
    }

    private static int spend(UUID user, long amount) {
        return asService().body(Map.of("amount", amount, "reason", "race")).post("/v1/users/{id}/credits/spend", user)
                .then().extract().statusCode();
    }

    private static Map<Integer, Long> histogram(List<Integer> statuses) {
        return statuses.stream().collect(Collectors.groupingBy(Function.identity(), Collectors.counting()));
    }

    @Test
    void twoHundredParallelSpendsOfOneAgainstAHundredCreditsSpendExactlyTheHundred() throws Exception {
        UUID user = newUserWith(100);
        List<Integer> statuses = Concurrently.run(200, i -> spend(user, 1));
        assertEquals(Map.of(201, 100L, 402, 100L), histogram(statuses));
        assertEquals(0, balance(user));
        assertEquals(101, ledgerRows(user));
        assertEquals(100, Database.queryLong("SELECT count(*) FROM credit_ledger WHERE user_id = ? AND kind = 'SPEND'", user));
    }

    @Test
    void fiftyParallelRequestsWithOneKeySpendOnce() throws Exception {
        UUID user = newUserWith(100);
        String key = "same-" + UUID.randomUUID();
        List<String> bodies = Concurrently.run(50, i -> asService().header("Idempotency-Key", key)
                .body(Map.of("amount", 7, "reason", "once")).post("/v1/users/{id}/credits/spend", user)
                .then().statusCode(201).extract().asString());
        assertEquals(1, bodies.stream().distinct().count(), "every caller sees the one result");
        assertEquals(93, balance(user));
        assertEquals(1, Database.queryLong("SELECT count(*) FROM credit_ledger WHERE user_id = ? AND kind = 'SPEND'", user));
    }

    @Test
    void thirtyTwoParallelSpendersOnOneUserGetNoServerErrors() throws Exception {
        UUID user = newUserWith(10_000);
        List<List<Integer>> perThread = Concurrently.run(32, i -> {
            List<Integer> s = new java.util.ArrayList<>();
            for (int n = 0; n < 10; n++) {
                s.add(spend(user, 3));
            }
            return s;
        });
        List<Integer> statuses = perThread.stream().flatMap(List::stream).toList();
        assertEquals(Map.of(201, 320L), histogram(statuses));
        assertEquals(10_000 - 320 * 3, balance(user));
    }

    @Test
    void oppositeTransfersNeitherDeadlockNorLoseCredits() throws Exception {
        UUID a = newUserWith(500);
        UUID b = newUserWith(500);
        double deadlocksBefore = Metrics.retries("40P01");
        List<List<Integer>> perThread = Concurrently.run(20, i -> {
            UUID from = i % 2 == 0 ? a : b;
            UUID to = i % 2 == 0 ? b : a;
            List<Integer> s = new java.util.ArrayList<>();
            for (int n = 0; n < 5; n++) {
                s.add(asService().body(Map.of("fromUserId", from, "toUserId", to, "amount", 1 + n, "reason", "swap"))
                        .post("/v1/transfers").then().extract().statusCode());
            }
            return s;
        });
        List<Integer> statuses = perThread.stream().flatMap(List::stream).toList();
        assertEquals(Map.of(201, 100L), histogram(statuses));
        assertEquals(1000, balance(a) + balance(b));
        assertEquals(500, balance(a), "each direction moved the same amounts");
        assertEquals(deadlocksBefore, Metrics.retries("40P01"), "no deadlock was ever detected");
    }

    @Test
    void parallelGrantsAndSpendsOnManyUsersAllLand() throws Exception {
        List<UUID> users = new java.util.ArrayList<>();
        for (int i = 0; i < 8; i++) {
            users.add(newUserWith(100));
        }
        List<Integer> statuses = Concurrently.run(64, i -> {
            UUID user = users.get(i % users.size());
            return (i / users.size()) % 2 == 0 ? spend(user, 5)
                    : asService().body(Map.of("amount", 2, "reason", "top-up"))
                            .post("/v1/users/{id}/credits/grant", user).then().extract().statusCode();
        });
        assertEquals(Map.of(201, 64L), histogram(statuses));
        for (UUID user : users) {
            assertEquals(100 - 4 * 5 + 4 * 2, balance(user));
        }
        assertTrue(users.stream().allMatch(u -> ledgerRows(u) == 9));
    }

    @Test
    void aHotPairOfTransfersMixedWithSpendsQueuesInsteadOfRetrying() throws Exception {
        UUID a = newUserWith(10_000);
        UUID b = newUserWith(10_000);
        double conflictsBefore = Metrics.retries("40001") + Metrics.retries("40P01") + Metrics.retries("55P03");
        List<List<Integer>> perThread = Concurrently.run(32, i -> {
            List<Integer> s = new java.util.ArrayList<>();
            for (int n = 0; n < 6; n++) {
                if (i % 4 == 3) {
                    s.add(spend(i % 8 == 3 ? a : b, 1));
                } else {
                    UUID from = i % 2 == 0 ? a : b;
                    s.add(asService().body(Map.of("fromUserId", from, "toUserId", from.equals(a) ? b : a, "amount", 1 + n,
                            "reason", "hot pair")).post("/v1/transfers").then().extract().statusCode());
                }
            }
            return s;
        });
        assertEquals(Map.of(201, 192L), histogram(perThread.stream().flatMap(List::stream).toList()));
        assertEquals(20_000 - 48, balance(a) + balance(b), "transfers conserve credits; only the 48 spends left");
        assertEquals(conflictsBefore, Metrics.retries("40001") + Metrics.retries("40P01") + Metrics.retries("55P03"),
                "no transaction of this replica had to be retried because of another one");
        assertEquals(288, Database.queryLong(
                "SELECT count(*) FROM credit_ledger WHERE user_id IN (?, ?) AND transfer_id IS NOT NULL", a, b),
                "one ledger row per side of each of the 144 transfers");
    }

    @Test
    void operationsQueuedOnABusyLaneShareOneTransactionYetEachGetsItsOwnOutcome() throws Exception {
        UUID blocker = newUserWith(100);
        int lane = Lanes.of(blocker);
        List<UUID> funded = Lanes.newUsersOn(lane, 5, 50);
        List<UUID> broke = Lanes.newUsersOn(lane, 2, 0);
        UUID deleted = Lanes.newUsersOn(lane, 1, 50).getFirst();
        asService().delete("/v1/users/{id}", deleted).then().statusCode(204);
        UUID unknown = UUID.randomUUID();
        while (Lanes.of(unknown) != lane) {
            unknown = UUID.randomUUID();
        }
        List<UUID> targets = new java.util.ArrayList<>(funded);
        targets.addAll(broke);
        targets.add(deleted);
        targets.add(unknown);
        List<CompletableFuture<Response>> outcomes = new java.util.ArrayList<>();
        try (RowLock hold = RowLock.onUser(blocker)) {
            CompletableFuture<Response> blocked = spendInBackground(blocker, 10);
            RowLock.waitingBackend();
            // The lane is busy with the blocked spend: the others queue behind it.
            for (UUID target : targets) {
                outcomes.add(spendInBackground(target, 10));
            }
            Thread.sleep(300);
            hold.commit();
            blocked.get(10, TimeUnit.SECONDS).then().statusCode(201);
        }
        for (int i = 0; i < targets.size(); i++) {
            int expected = i < funded.size() ? 201 : i < funded.size() + broke.size() ? 402 : 404;
            outcomes.get(i).get(10, TimeUnit.SECONDS).then().statusCode(expected);
        }
        for (UUID user : funded) {
            assertEquals(40, balance(user));
            assertEquals(2, ledgerRows(user));
        }
        for (UUID user : broke) {
            assertEquals(0, balance(user));
            assertEquals(0, ledgerRows(user));
        }
        assertEquals(1, ledgerRows(deleted));
        assertEquals(0, ledgerRows(unknown));
        // Rows written by one transaction carry its id (xmin): the spends were committed together.
        String ids = funded.stream().map(u -> "'" + u + "'").collect(Collectors.joining(","));
        long transactions = Database.queryLong(
                "SELECT count(DISTINCT xmin::text) FROM credit_ledger WHERE kind = 'SPEND' AND user_id IN (" + ids + ")");
        assertTrue(transactions < funded.size(), "the queued spends shared transactions: " + transactions);
    }
}
