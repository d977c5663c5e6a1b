package dev.genledger.job;

import static dev.genledger.support.Api.as;
import static dev.genledger.support.Api.asAdmin;
import static dev.genledger.support.Api.asService;
import static dev.genledger.support.Api.balance;
import static dev.genledger.support.Api.inBackground;
import static dev.genledger.support.Api.ledgerRows;
import static dev.genledger.support.Api.newUserWith;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.genledger.support.Database;
import dev.genledger.support.LostCommitAck;
import dev.genledger.support.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;

@QuarkusTest
class JobResourceTests {

    @AfterEach
    void reconciliationStaysClean() {
        asAdmin().get("/v1/admin/reconciliation").then().statusCode(200).body("mismatches", hasSize(0));
    }

    static Map<String, Object> job(String key, long cost) {
        return Map.of("jobKey", key, "kind", "quiz", "cost", cost);
    }

    static String create(UUID user, String key, long cost) {
        return asService().body(job(key, cost)).post("/v1/users/{id}/jobs", user).then().statusCode(201)
                .extract().path("id");
    }

    static long held(UUID user) {
        return Database.queryLong("SELECT held FROM users WHERE id = ?", user);
    }

    static long holds(UUID user, String status) {
        return Database.queryLong("SELECT count(*) FROM credit_holds WHERE user_id = ? AND status = ?", user, status);
    }

    @Test
    void creatingAJobHoldsItsCostAndARepeatReturnsTheSameJobWithoutHoldingMore() {
        UUID user = newUserWith(100);
        String id = asService().body(job("k1", 30)).post("/v1/users/{id}/jobs", user).then().statusCode(201)
                .header("Location", org.hamcrest.Matchers.containsString("/v1/jobs/")).extract().path("id");
        asService().body(job("k1", 30)).post("/v1/users/{id}/jobs", user).then().statusCode(200)
                .body("id", equalTo(id)).body("status", equalTo("PENDING"));
        asService().get("/v1/users/{id}/balance", user).then().statusCode(200)
                .body("balance", equalTo(100)).body("held", equalTo(30)).body("available", equalTo(70));
        assertEquals(1, Database.queryLong("SELECT count(*) FROM generation_jobs WHERE user_id = ?", user));
        assertEquals(1, holds(user, "OPEN"));
        assertEquals(100, balance(user));
        assertEquals(1, ledgerRows(user), "a hold writes no ledger row");
    }

    @Test
    void aJobTheUserCannotCoverIsRefusedWith402AndLeavesNothing() {
        UUID user = newUserWith(20);
        create(user, "a", 15);
        asService().body(job("b", 10)).post("/v1/users/{id}/jobs", user).then().statusCode(402)
                .body("type", equalTo("https://genledger.dev/problems/insufficient-credits"))
                .body("available", equalTo(5)).body("requested", equalTo(10));
        assertEquals(1, Database.queryLong("SELECT count(*) FROM generation_jobs WHERE user_id = ?", user));
        assertEquals(15, held(user));
    }

    @Test
    void spendsCannotUseHeldCredits() {
        UUID user = newUserWith(50);
        create(user, "big", 40);
        asService().body(Map.of("amount", 11, "reason", "r")).post("/v1/users/{id}/credits/spend", user).then()
                .statusCode(402).body("available", equalTo(10));
        asService().body(Map.of("amount", 10, "reason", "r")).post("/v1/users/{id}/credits/spend", user).then()
                .statusCode(201);
        asService().body(Map.of("fromUserId", user, "toUserId", newUserWith(0), "amount", 1, "reason", "r"))
                .post("/v1/transfers").then().statusCode(402);
        assertEquals(40, balance(user));
        assertEquals(40, held(user));
    }

    @Test
    void successCapturesTheHoldAsOneLedgerSpend() {
        UUID user = newUserWith(100);
        double created = dev.genledger.support.Metrics.sum("genledger_jobs_transitions_total", "to=\"PENDING\"");
        double succeeded = dev.genledger.support.Metrics.sum("genledger_jobs_transitions_total", "to=\"SUCCEEDED\"");
        String id = create(user, "s", 25);
        asService().post("/v1/jobs/{id}/start", id).then().statusCode(200).body("status", equalTo("RUNNING"))
                .body("startedAt", notNullValue());
        asService().body(Map.of("resultRef", "quiz:42")).post("/v1/jobs/{id}/succeed", id).then().statusCode(200)
                .body("status", equalTo("SUCCEEDED")).body("resultRef", equalTo("quiz:42"))
                .body("finishedAt", notNullValue());
        assertEquals(75, balance(user));
        assertEquals(0, held(user));
        assertEquals(1, holds(user, "CAPTURED"));
        assertEquals(-25, Database.queryLong(
                "SELECT amount FROM credit_ledger WHERE user_id = ? AND kind = 'CAPTURE' AND reference = ?", user, "job:" + id));
        assertEquals(2, ledgerRows(user));
        assertEquals(created + 1, dev.genledger.support.Metrics.sum("genledger_jobs_transitions_total", "to=\"PENDING\""));
        assertEquals(succeeded + 1,
                dev.genledger.support.Metrics.sum("genledger_jobs_transitions_total", "to=\"SUCCEEDED\""));
    }

    @Test
    void failureAndCancelReleaseTheHoldAndMoveNoCredits() {
        UUID user = newUserWith(100);
        String failed = create(user, "f", 10);
        String cancelledPending = create(user, "c1", 20);
        String cancelledRunning = create(user, "c2", 30);
        asService().post("/v1/jobs/{id}/start", failed).then().statusCode(200);
        asService().body(Map.of("error", "model timed out")).post("/v1/jobs/{id}/fail", failed).then()
                .statusCode(200).body("status", equalTo("FAILED")).body("error", equalTo("model timed out"));
        asService().post("/v1/jobs/{id}/cancel", cancelledPending).then().statusCode(200)
                .body("status", equalTo("CANCELLED"));
        asService().post("/v1/jobs/{id}/start", cancelledRunning).then().statusCode(200);
        asService().body(Map.of("reason", "user gave up")).post("/v1/jobs/{id}/cancel", cancelledRunning).then()
                .statusCode(200).body("status", equalTo("CANCELLED"));
        assertEquals(100, balance(user));
        assertEquals(0, held(user));
        assertEquals(3, holds(user, "RELEASED"));
        assertEquals(1, ledgerRows(user));
    }

    @Test
    void illegalTransitionsAre409WithTheCurrentStatusAndChangeNothing() {
        UUID user = newUserWith(100);
        String id = create(user, "i", 10);
        asService().body(Map.of()).post("/v1/jobs/{id}/succeed", id).then().statusCode(409)
                .body("type", equalTo("https://genledger.dev/problems/illegal-transition"))
                .body("status", equalTo(409)).body("currentStatus", equalTo("PENDING"));
        asService().body(Map.of("error", "x")).post("/v1/jobs/{id}/fail", id).then().statusCode(409);
        asService().post("/v1/jobs/{id}/start", id).then().statusCode(200);
        asService().body(Map.of("resultRef", "s3://quiz/1")).post("/v1/jobs/{id}/succeed", id).then().statusCode(200);
        for (String step : new String[] { "start", "cancel" }) {
            asService().body(Map.of()).post("/v1/jobs/{id}/" + step, id).then().statusCode(409)
                    .body("status", equalTo(409)).body("currentStatus", equalTo("SUCCEEDED"));
        }
        asService().body(Map.of("resultRef", "s3://quiz/2")).post("/v1/jobs/{id}/succeed", id).then().statusCode(409)
                .body("status", equalTo(409)).body("currentStatus", equalTo("SUCCEEDED"));
        asService().body(Map.of("error", "late")).post("/v1/jobs/{id}/fail", id).then().statusCode(409);
        assertEquals(90, balance(user));
        assertEquals(1, Database.queryLong("SELECT count(*) FROM credit_ledger WHERE user_id = ? AND kind = 'CAPTURE'", user));
        asService().get("/v1/jobs/{id}", id).then().body("resultRef", equalTo("s3://quiz/1"));
    }

    @Test
    void aSettlementWhoseCommitAnswerIsLostIsAnsweredAsDoneAndCapturesOnce() throws Exception {
        UUID user = newUserWith(100);
        String id = create(user, "lost-answer", 10);
        asService().post("/v1/jobs/{id}/start", id).then().statusCode(200);
        Response response;
        try (LostCommitAck lost = LostCommitAck.arm()) {
            CompletableFuture<Response> succeed = inBackground(() -> asService()
                    .body(Map.of("resultRef", "s3://quiz/lost")).post("/v1/jobs/{id}/succeed", id));
            lost.cut(lost.waitingCommit());
            response = succeed.get(10, TimeUnit.SECONDS);
        }
        response.then().statusCode(200).body("status", equalTo("SUCCEEDED")).body("resultRef", equalTo("s3://quiz/lost"));
        assertEquals(90, balance(user));
        assertEquals(0, held(user));
        assertEquals(1, holds(user, "CAPTURED"));
        assertEquals(2, ledgerRows(user), "the grant and one capture");
        assertEquals(3, Database.queryLong("SELECT count(*) FROM job_transitions WHERE job_id = ?::uuid", id));
    }

    @Test
    void repeatingTheTransitionThatMovedAJobAnswersItAgainAndChangesNothing() {
        // A retry, by the client or by the service after a commit whose answer was lost, finds the
        // job already moved: it gets the job, marked as a replay, and nothing is settled twice.
        UUID user = newUserWith(100);
        String succeeded = create(user, "r1", 10);
        asService().post("/v1/jobs/{id}/start", succeeded).then().statusCode(200).header("Idempotent-Replayed", nullValue());
        asService().post("/v1/jobs/{id}/start", succeeded).then().statusCode(200).header("Idempotent-Replayed", "true")
                .body("status", equalTo("RUNNING"));
        for (int i = 0; i < 2; i++) {
            asService().body(Map.of("resultRef", "s3://quiz/r1")).post("/v1/jobs/{id}/succeed", succeeded).then()
                    .statusCode(200).body("status", equalTo("SUCCEEDED")).body("resultRef", equalTo("s3://quiz/r1"))
                    .body("transitions", hasSize(3)).header("Idempotent-Replayed", i == 0 ? nullValue() : equalTo("true"));
        }
        String failed = create(user, "r2", 20);
        asService().post("/v1/jobs/{id}/start", failed).then().statusCode(200);
        for (int i = 0; i < 2; i++) {
            asService().body(Map.of("error", "model timed out")).post("/v1/jobs/{id}/fail", failed).then().statusCode(200)
                    .body("status", equalTo("FAILED"));
        }
        String cancelled = create(user, "r3", 30);
        for (int i = 0; i < 2; i++) {
            asService().body(Map.of("reason", "user left")).post("/v1/jobs/{id}/cancel", cancelled).then().statusCode(200)
                    .body("status", equalTo("CANCELLED"));
        }
        asService().body(Map.of("reason", "changed mind")).post("/v1/jobs/{id}/cancel", cancelled).then().statusCode(409);
        assertEquals(90, balance(user));
        assertEquals(0, held(user));
        assertEquals(2, ledgerRows(user), "the grant and one capture");
        assertEquals(3 + 3 + 2, Database.queryLong("SELECT count(*) FROM job_transitions t JOIN generation_jobs j ON j.id = t.job_id "
                + "WHERE j.user_id = ?", user), "no transition recorded twice");
        assertEquals(1, holds(user, "CAPTURED"));
        assertEquals(2, holds(user, "RELEASED"));
    }

    @Test
    void aJobShowsItsWholeHistoryWithActorsAndReasons() {
        UUID user = newUserWith(100);
        String id = create(user, "h", 10);
        asService().post("/v1/jobs/{id}/start", id).then().statusCode(200);
        asAdmin().body(Map.of("reason", "stuck")).post("/v1/jobs/{id}/cancel", id).then().statusCode(200);
        asService().get("/v1/jobs/{id}", id).then().statusCode(200)
                .body("transitions.to", contains("PENDING", "RUNNING", "CANCELLED"))
                .body("transitions.from", contains(null, "PENDING", "RUNNING"))
                .body("transitions.actor", contains("service:chatbot-backend", "service:chatbot-backend", "admin:ops-admin"))
                .body("transitions[2].reason", equalTo("stuck"))
                .body("transitions[0].at", notNullValue());
    }

    @Test
    void listsArePagedNewestFirstAndFilterByStatus() {
        UUID user = newUserWith(100);
        String first = create(user, "l1", 1);
        String second = create(user, "l2", 1);
        String third = create(user, "l3", 1);
        asService().post("/v1/jobs/{id}/start", second).then().statusCode(200);
        String cursor = asService().queryParam("limit", 2).get("/v1/users/{id}/jobs", user).then().statusCode(200)
                .body("items.id", contains(third, second)).body("items[0].transitions", nullValue())
                .extract().path("nextCursor");
        asService().queryParam("limit", 2).queryParam("cursor", cursor).get("/v1/users/{id}/jobs", user).then()
                .statusCode(200).body("items.id", contains(first)).body("nextCursor", nullValue());
        asService().queryParam("status", "RUNNING").get("/v1/users/{id}/jobs", user).then().statusCode(200)
                .body("items.id", contains(second));
        asService().queryParam("status", "BOGUS").get("/v1/users/{id}/jobs", user).then().statusCode(400);
    }

    @Test
    void theSameKeyWithAnotherCostOrKindIsRefused() {
        UUID user = newUserWith(100);
        create(user, "same", 10);
        asService().body(job("same", 11)).post("/v1/users/{id}/jobs", user).then().statusCode(422);
        asService().body(Map.of("jobKey", "same", "kind", "insight", "cost", 10)).post("/v1/users/{id}/jobs", user)
                .then().statusCode(422);
        assertEquals(10, held(user));
    }

    @Test
    void badJobRequestsAre400() {
        UUID user = newUserWith(100);
        asService().body(Map.of("jobKey", "k", "kind", "quiz", "cost", 0)).post("/v1/users/{id}/jobs", user).then().statusCode(400);
        asService().body(Map.of("jobKey", "k", "kind", "Quiz Kind", "cost", 1)).post("/v1/users/{id}/jobs", user).then().statusCode(400);
        asService().body(Map.of("jobKey", " ", "kind", "quiz", "cost", 1)).post("/v1/users/{id}/jobs", user).then().statusCode(400);
        asService().body(Map.of("kind", "quiz", "cost", 1)).post("/v1/users/{id}/jobs", user).then().statusCode(400);
        asService().body(job("k", 1)).post("/v1/users/{id}/jobs", UUID.randomUUID()).then().statusCode(404);
        asService().post("/v1/jobs/{id}/start", UUID.randomUUID()).then().statusCode(404);
        asService().body(Map.of()).post("/v1/jobs/{id}/fail", create(user, "e", 1)).then().statusCode(400);
        assertEquals(0, Database.queryLong("SELECT count(*) FROM generation_jobs WHERE user_id = ? AND job_key = 'k'", user));
    }

    @Test
    void aUserReadsTheirOwnJobsButOnlyTheBackendMovesThem() {
        UUID user = newUserWith(100);
        String id = create(user, "own", 10);
        String token = Tokens.user(user);
        as(token).get("/v1/jobs/{id}", id).then().statusCode(200).body("id", equalTo(id));
        as(token).get("/v1/users/{id}/jobs", user).then().statusCode(200).body("items", hasSize(1));
        as(token).post("/v1/jobs/{id}/cancel", id).then().statusCode(403);
        as(token).body(job("mine", 5)).post("/v1/users/{id}/jobs", user).then().statusCode(403);
        assertEquals(10, held(user));
    }
}
