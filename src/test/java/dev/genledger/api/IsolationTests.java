package dev.genledger.api;

import static dev.genledger.support.Api.as;
import static dev.genledger.support.Api.asAdmin;
import static dev.genledger.support.Api.asService;
import static dev.genledger.support.Api.balance;
import static dev.genledger.support.Api.newUserWith;
import static org.hamcrest.Matchers.hasSize;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.genledger.support.Database;
import dev.genledger.support.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;

/** No endpoint lets one user reach another user's data, nor anybody reach deleted data. */
@QuarkusTest
class IsolationTests {

    @AfterEach
    void reconciliationStaysClean() {
        asAdmin().get("/v1/admin/reconciliation").then().statusCode(200).body("mismatches", hasSize(0));
    }

    private record Victim(UUID user, String job, String quiz) {
    }

    private static Victim victim() {
        UUID user = newUserWith(100);
        String job = asService().body(Map.of("jobKey", "v", "kind", "quiz", "cost", 10)).post("/v1/users/{id}/jobs", user)
                .then().statusCode(201).extract().path("id");
        String quiz = asService().body(Map.of("title", "secret", "questions",
                List.of(Map.of("question", "q", "options", List.of("a", "b"), "answer", 0))))
                .post("/v1/users/{id}/quizzes", user).then().statusCode(201).extract().path("id");
        asService().body(Map.of("content", Map.of("a", 1))).put("/v1/quizzes/{id}/insights/summary", quiz).then().statusCode(201);
        return new Victim(user, job, quiz);
    }

    /** Every endpoint that names a user, job or quiz, called as {@code who}. */
    private static List<Function<RequestSpecification, Response>> everyEndpoint(Victim v) {
        Map<String, Object> q = Map.of("question", "q", "options", List.of("a", "b"), "answer", 0);
        return List.of(
                s -> s.get("/v1/users/{id}", v.user),
                s -> s.body(Map.of("displayName", "x")).patch("/v1/users/{id}", v.user),
                s -> s.delete("/v1/users/{id}", v.user),
                s -> s.get("/v1/users/{id}/balance", v.user),
                s -> s.get("/v1/users/{id}/ledger", v.user),
                s -> s.body(Map.of("jobKey", "x", "kind", "quiz", "cost", 1)).post("/v1/users/{id}/jobs", v.user),
                s -> s.get("/v1/users/{id}/jobs", v.user),
                s -> s.get("/v1/jobs/{id}", v.job),
                s -> s.post("/v1/jobs/{id}/start", v.job),
                s -> s.body(Map.of()).post("/v1/jobs/{id}/succeed", v.job),
                s -> s.body(Map.of("error", "e")).post("/v1/jobs/{id}/fail", v.job),
                s -> s.body(Map.of()).post("/v1/jobs/{id}/cancel", v.job),
                s -> s.body(Map.of("title", "t", "questions", List.of(q))).post("/v1/users/{id}/quizzes", v.user),
                s -> s.get("/v1/users/{id}/quizzes", v.user),
                s -> s.get("/v1/quizzes/{id}", v.quiz),
                s -> s.body(Map.of("title", "x")).patch("/v1/quizzes/{id}", v.quiz),
                s -> s.post("/v1/quizzes/{id}/publish", v.quiz),
                s -> s.post("/v1/quizzes/{id}/unpublish", v.quiz),
                s -> s.body(Map.of("content", Map.of())).put("/v1/quizzes/{id}/insights/summary", v.quiz),
                s -> s.get("/v1/quizzes/{id}/insights", v.quiz),
                s -> s.delete("/v1/quizzes/{id}", v.quiz));
    }

    private static void assertUntouched(Victim v) {
        assertEquals(100, balance(v.user));
        assertEquals(10, Database.queryLong("SELECT held FROM users WHERE id = ?", v.user));
        assertEquals(1, Database.queryLong("SELECT count(*) FROM generation_jobs WHERE user_id = ?", v.user));
        assertEquals(1, Database.queryLong("SELECT count(*) FROM quizzes WHERE user_id = ? AND title = 'secret' AND slug IS NULL", v.user));
        assertEquals(1, Database.queryLong("SELECT count(*) FROM insights WHERE user_id = ? AND content = '{\"a\": 1}'", v.user));
    }

    @Test
    void aUserTokenGets404OnEveryEndpointForAnotherUsersData() {
        Victim v = victim();
        String intruder = Tokens.user(newUserWith(100));
        for (Function<RequestSpecification, Response> call : everyEndpoint(v)) {
            Response r = call.apply(as(intruder));
            assertEquals(404, r.statusCode(), () -> "expected 404, got " + r.statusCode() + ": " + r.asString());
            assertEquals(-1, r.asString().indexOf("secret"));
        }
        assertUntouched(v);
        assertEquals(0, Database.queryLong("SELECT count(*) FROM users WHERE id = ? AND deleted_at IS NOT NULL", v.user));
    }

    @Test
    void deletedDataIsUnreachableEvenForTheBackend() {
        Victim v = victim();
        asService().delete("/v1/users/{id}", v.user).then().statusCode(204);
        for (Function<RequestSpecification, Response> call : everyEndpoint(v)) {
            Response r = call.apply(asService());
            assertEquals(404, r.statusCode(), () -> "expected 404, got " + r.statusCode() + ": " + r.asString());
        }
        for (Function<RequestSpecification, Response> call : everyEndpoint(v)) {
            Response r = call.apply(as(Tokens.user(v.user)));
            assertEquals(404, r.statusCode(), () -> "expected 404, got " + r.statusCode() + ": " + r.asString());
        }
    }

    @Test
    void absentIdsAre404ToEverybody() {
        Victim absent = new Victim(UUID.randomUUID(), UUID.randomUUID().toString(), UUID.randomUUID().toString());
        for (Function<RequestSpecification, Response> call : everyEndpoint(absent)) {
            assertEquals(404, call.apply(asAdmin()).statusCode());
        }
    }
}
