package dev.genledger.job;

import static dev.genledger.job.JobResourceTests.create;
import static dev.genledger.job.JobResourceTests.held;
import static dev.genledger.job.JobResourceTests.job;
import static dev.genledger.support.Api.asAdmin;
import static dev.genledger.support.Api.asService;
import static dev.genledger.support.Api.balance;
import static dev.genledger.support.Api.newUserWith;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.genledger.support.Concurrently;
import dev.genledger.support.Database;
import dev.genledger.support.Metrics;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;

@QuarkusTest
class JobConcurrencyTests {

    @AfterEach
    void reconciliationStaysClean() {
        asAdmin().get("/v1/admin/reconciliation").then().statusCode(200).body("mismatches", hasSize(0));
    }

    private static Map<Integer, Long> histogram(List<Integer> statuses) {
        return statuses.stream().collect(Collectors.groupingBy(Function.identity(), Collectors.counting()));
    }

    @Test
    void fiftyConcurrentCreatesWithOneKeyGiveOneJobAndOneHold() throws Exception {
        UUID user = newUserWith(1_000);
        List<Response> responses = Concurrently.run(50, i -> asService().body(job("race", 7))
                .post("/v1/users/{id}/jobs", user).then().extract().response());
        Map<Integer, Long> statuses = histogram(responses.stream().map(Response::statusCode).toList());
        assertEquals(Map.of(201, 1L, 200, 49L), statuses);
        assertEquals(1, responses.stream().map(r -> r.path("id")).distinct().count(), "everybody sees the one job");
        assertEquals(1, Database.queryLong("SELECT count(*) FROM generation_jobs WHERE user_id = ?", user));
        assertEquals(1, Database.queryLong("SELECT count(*) FROM credit_holds WHERE user_id = ?", user));
        assertEquals(7, held(user));
        assertEquals(1_000, balance(user));
    }

    @Test
    void concurrentCreatesWithManyKeysNeverHoldMoreThanTheBalance() throws Exception {
        UUID user = newUserWith(100);
        List<Integer> statuses = Concurrently.run(40, i -> asService().body(job("k" + i, 5))
                .post("/v1/users/{id}/jobs", user).then().extract().statusCode());
        assertEquals(Map.of(201, 20L, 402, 20L), histogram(statuses));
        assertEquals(100, held(user));
        assertEquals(20, Database.queryLong("SELECT count(*) FROM generation_jobs WHERE user_id = ?", user));
    }

    @Test
    void succeedAndCancelRacingSettleOnceTheWinnersRepeatsAreReplaysTheOthersGet409() throws Exception {
        for (int round = 0; round < 5; round++) {
            UUID user = newUserWith(100);
            String id = create(user, "r" + round, 40);
            asService().post("/v1/jobs/{id}/start", id).then().statusCode(200);
            List<Response> responses = Concurrently.run(16, i -> (i % 2 == 0
                    ? asService().body(Map.of("resultRef", "r")).post("/v1/jobs/{id}/succeed", id)
                    : asService().body(Map.of()).post("/v1/jobs/{id}/cancel", id)).then().extract().response());
            String status = Database.queryLong("SELECT count(*) FROM generation_jobs WHERE id = ?::uuid AND status = 'SUCCEEDED'", id) == 1
                    ? "SUCCEEDED" : "CANCELLED";
            Map<String, Long> outcomes = responses.stream().collect(Collectors.groupingBy(
                    r -> r.statusCode() + " " + r.header("Idempotent-Replayed"), Collectors.counting()));
            assertEquals(Map.of("200 null", 1L, "200 true", 7L, "409 null", 8L), outcomes,
                    "one applied; the same request repeated is a replay; the other kind conflicts");
            responses.stream().filter(r -> r.statusCode() == 409)
                    .forEach(r -> assertEquals(status, r.path("currentStatus"), "the loser is told the current status"));
            long captures = Database.queryLong("SELECT count(*) FROM credit_ledger WHERE user_id = ? AND kind = 'CAPTURE'", user);
            long settledHolds = Database.queryLong("SELECT count(*) FROM credit_holds WHERE user_id = ? AND status <> 'OPEN'", user);
            assertEquals(1, settledHolds);
            assertEquals(status.equals("SUCCEEDED") ? 1 : 0, captures);
            assertEquals(status.equals("SUCCEEDED") ? 60 : 100, balance(user));
            assertEquals(0, held(user));
            assertEquals(3, Database.queryLong("SELECT count(*) FROM job_transitions WHERE job_id = ?::uuid", id));
        }
    }

    @Test
    void holdsSettlementsAndSpendsOfOneUserQueueInsteadOfFailingEachOtherWithSerializationErrors() throws Exception {
        UUID user = newUserWith(10_000);
        List<String> running = new java.util.ArrayList<>();
        for (int i = 0; i < 20; i++) {
            String id = create(user, "queued" + i, 10);
            asService().post("/v1/jobs/{id}/start", id).then().statusCode(200);
            running.add(id);
        }
        double conflictsBefore = Metrics.retries("40001");
        List<String> outcomes = Concurrently.run(80, i -> switch (i % 4) {
            case 0 -> "create " + asService().body(job("more" + i, 5)).post("/v1/users/{id}/jobs", user).then().extract()
                    .statusCode();
            case 1 -> "settle " + asService().body(i % 8 == 1 ? Map.of() : Map.of("error", "e"))
                    .post("/v1/jobs/{id}/" + (i % 8 == 1 ? "succeed" : "fail"), running.get(i / 4)).then().extract()
                    .statusCode();
            default -> "spend " + asService().body(Map.of("amount", 1, "reason", "r"))
                    .post("/v1/users/{id}/credits/spend", user).then().extract().statusCode();
        });
        assertEquals(Map.of("create 201", 20L, "settle 200", 20L, "spend 201", 40L),
                outcomes.stream().collect(Collectors.groupingBy(Function.identity(), Collectors.counting())));
        assertEquals(conflictsBefore, Metrics.retries("40001"), "no transaction failed another on this replica");
        assertEquals(10_000 - 10 * 10 - 40, balance(user), "ten captures of 10 and forty spends of 1");
        assertEquals(20 * 5, held(user), "the twenty new jobs hold 5 each; the settled ones hold nothing");
    }

    @Test
    void aJobRowLockedElsewhereIsRetriedAndThenAnswered503WithRetryAfter() throws Exception {
        UUID user = newUserWith(100);
        String id = create(user, "locked", 10);
        try (Connection c = Database.connect()) {
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM generation_jobs WHERE id = ?::uuid FOR UPDATE")) {
                ps.setString(1, id);
                ps.executeQuery().close();
            }
            long start = System.nanoTime();
            asService().post("/v1/jobs/{id}/start", id).then().statusCode(503)
                    .header("Retry-After", equalTo("1")).body("cause", equalTo("database-contention"));
            assertTrue(System.nanoTime() - start > 1_000_000_000L, "it was retried with backoff before giving up");
            c.rollback();
        }
        assertEquals("PENDING", asService().get("/v1/jobs/{id}", id).then().statusCode(200).extract().path("status"));
    }

    @Test
    void aBrieflyLockedJobRowIsRetriedUntilItSucceeds() throws Exception {
        UUID user = newUserWith(100);
        String id = create(user, "brief", 10);
        try (Connection c = Database.connect()) {
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM generation_jobs WHERE id = ?::uuid FOR UPDATE")) {
                ps.setString(1, id);
                ps.executeQuery().close();
            }
            Thread release = new Thread(() -> {
                try {
                    Thread.sleep(300);
                    c.rollback();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            release.start();
            asService().post("/v1/jobs/{id}/start", id).then().statusCode(200).body("status", equalTo("RUNNING"));
            release.join();
        }
    }
}
