package dev.genledger.quiz;

import static dev.genledger.support.Api.as;
import static dev.genledger.support.Api.asAdmin;
import static dev.genledger.support.Api.asService;
import static dev.genledger.support.Api.newUser;
import static dev.genledger.support.Api.newUserWith;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasKey;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.genledger.support.Concurrently;
import dev.genledger.support.Database;
import dev.genledger.support.Tokens;
import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
class QuizResourceTests {

    @AfterEach
    void reconciliationStaysClean() {
        asAdmin().get("/v1/admin/reconciliation").then().statusCode(200).body("mismatches", hasSize(0));
    }

    static Map<String, Object> question(String text, int answer) {
        return Map.of("question", text, "options", List.of("a", "b", "c"), "answer", answer);
    }

    static Map<String, Object> quiz(String title) {
        return Map.of("title", title, "questions", List.of(question("1 + 1?", 1), question("2 + 2?", 2)));
    }

    static String create(UUID user, String title) {
        return asService().body(quiz(title)).post("/v1/users/{id}/quizzes", user).then().statusCode(201)
                .extract().path("id");
    }

    @Test
    void aQuizIsCreatedReadChangedAndListedNewestFirst() {
        UUID user = newUser();
        String first = asService().body(quiz("Arithmetic")).post("/v1/users/{id}/quizzes", user).then()
                .statusCode(201).body("title", equalTo("Arithmetic")).body("userId", equalTo(user.toString()))
                .body("questions", hasSize(2)).body("questions[1].answer", equalTo(2))
                .body("questions[0].options", contains("a", "b", "c")).body("slug", nullValue())
                .extract().path("id");
        String second = create(user, "Second");
        String third = create(user, "Third");
        asService().get("/v1/quizzes/{id}", first).then().statusCode(200).body("title", equalTo("Arithmetic"));
        asService().body(Map.of("title", "Sums")).patch("/v1/quizzes/{id}", first).then().statusCode(200)
                .body("title", equalTo("Sums")).body("questions", hasSize(2));
        asService().body(Map.of("questions", List.of(question("3 + 3?", 0)))).patch("/v1/quizzes/{id}", first)
                .then().statusCode(200).body("title", equalTo("Sums")).body("questions[0].question", equalTo("3 + 3?"));
        String cursor = asService().queryParam("limit", 2).get("/v1/users/{id}/quizzes", user).then().statusCode(200)
                .body("items.id", contains(third, second)).extract().path("nextCursor");
        asService().queryParam("cursor", cursor).get("/v1/users/{id}/quizzes", user).then().statusCode(200)
                .body("items.id", contains(first)).body("nextCursor", nullValue());
    }

    @Test
    void questionsAreValidated() {
        UUID user = newUser();
        List<Object> bad = List.of(
                Map.of("title", "t", "questions", List.of()),
                Map.of("title", " ", "questions", List.of(question("q", 0))),
                Map.of("title", "t", "questions", List.of(question("q", 3))),
                Map.of("title", "t", "questions", List.of(question("q", -1))),
                Map.of("title", "t", "questions", List.of(Map.of("question", "q", "options", List.of("only"), "answer", 0))),
                Map.of("title", "t", "questions", List.of(Map.of("question", "", "options", List.of("a", "b"), "answer", 0))),
                Map.of("title", "t", "questions", List.of(Map.of("options", List.of("a", "b"), "answer", 0))),
                Map.of("title", "t", "questions", List.of(Map.of("question", "q", "options", List.of("a", "b"), "answer", 0, "x", 1))),
                Map.of("title", "t", "questions", "not an array"));
        for (Object body : bad) {
            asService().body(body).post("/v1/users/{id}/quizzes", user).then().statusCode(400);
        }
        String id = create(user, "ok");
        asService().body(Map.of("questions", List.of(question("q", 5)))).patch("/v1/quizzes/{id}", id).then().statusCode(400);
        asService().body(Map.of("title", "")).patch("/v1/quizzes/{id}", id).then().statusCode(400);
        asService().body(Map.of("title", "t", "questions", List.of(question("q", 0)), "sourceJobId", UUID.randomUUID()))
                .post("/v1/users/{id}/quizzes", user).then().statusCode(400);
        assertEquals(1, Database.queryLong("SELECT count(*) FROM quizzes WHERE user_id = ?", user));
    }

    @Test
    void aQuizMayNameTheJobThatGeneratedIt() {
        UUID user = newUserWith(10);
        String job = asService().body(Map.of("jobKey", "gen", "kind", "quiz", "cost", 1)).post("/v1/users/{id}/jobs", user)
                .then().statusCode(201).extract().path("id");
        asService().body(Map.of("title", "t", "questions", List.of(question("q", 0)), "sourceJobId", job))
                .post("/v1/users/{id}/quizzes", user).then().statusCode(201).body("sourceJobId", equalTo(job));
        UUID other = newUser();
        asService().body(Map.of("title", "t", "questions", List.of(question("q", 0)), "sourceJobId", job))
                .post("/v1/users/{id}/quizzes", other).then().statusCode(400);
    }

    @Test
    void aDeletedQuizIsGoneEverywhere() {
        UUID user = newUser();
        String id = create(user, "doomed");
        String slug = asService().post("/v1/quizzes/{id}/publish", id).then().statusCode(200).extract().path("slug");
        asService().body(Map.of("content", Map.of("score", 1))).put("/v1/quizzes/{id}/insights/summary", id).then()
                .statusCode(201);
        asService().delete("/v1/quizzes/{id}", id).then().statusCode(204);
        asService().get("/v1/quizzes/{id}", id).then().statusCode(404);
        asService().delete("/v1/quizzes/{id}", id).then().statusCode(404);
        asService().body(Map.of("title", "x")).patch("/v1/quizzes/{id}", id).then().statusCode(404);
        asService().post("/v1/quizzes/{id}/publish", id).then().statusCode(404);
        asService().get("/v1/quizzes/{id}/insights", id).then().statusCode(404);
        asService().body(Map.of("content", Map.of())).put("/v1/quizzes/{id}/insights/summary", id).then().statusCode(404);
        asService().get("/v1/users/{id}/quizzes", user).then().statusCode(200).body("items", hasSize(0));
        given().get("/v1/public/quizzes/{slug}", slug).then().statusCode(404);
        assertEquals(1, Database.queryLong(
                "SELECT count(*) FROM insights WHERE quiz_id = ?::uuid AND deleted_at IS NOT NULL", id));
    }

    @Test
    void publishingGivesAnUnguessableSlugThatAnybodyCanReadWithoutOwnerData() {
        UUID user = newUser();
        String id = create(user, "Shared");
        String slug = asService().post("/v1/quizzes/{id}/publish", id).then().statusCode(200)
                .body("slug", matchesPattern("[A-Za-z0-9_-]{22}")).body("publishedAt", notNullValue())
                .extract().path("slug");
        asService().post("/v1/quizzes/{id}/publish", id).then().statusCode(200).body("slug", equalTo(slug));
        String other = asService().post("/v1/quizzes/{id}/publish", create(user, "Other")).then().statusCode(200)
                .extract().path("slug");
        assertNotEquals(slug, other);
        String body = given().get("/v1/public/quizzes/{slug}", slug).then().statusCode(200)
                .body("title", equalTo("Shared")).body("slug", equalTo(slug)).body("questions", hasSize(2))
                .body("$", not(hasKey("id"))).body("$", not(hasKey("userId")))
                .body("questions[0].question", equalTo("1 + 1?")).body("questions[0].options", contains("a", "b", "c"))
                .body("questions[0]", not(hasKey("answer"))).body("questions[1]", not(hasKey("answer")))
                .extract().asString();
        assertEquals(-1, body.indexOf("answer"), "the public view never shows the answers");
        assertEquals(-1, body.indexOf(user.toString()));
        assertEquals(-1, body.indexOf(id));
        assertEquals(-1, body.indexOf("@example.com"));
        asService().post("/v1/quizzes/{id}/unpublish", id).then().statusCode(200).body("slug", nullValue())
                .body("publishedAt", nullValue());
        given().get("/v1/public/quizzes/{slug}", slug).then().statusCode(404);
        given().get("/v1/public/quizzes/{slug}", "no-such-slug-at-all-0000").then().statusCode(404);
    }

    @Test
    void anybodyMayHaveAnswersToAPublishedQuizGradedWithoutSeeingTheRightOnes() {
        UUID user = newUser();
        String id = create(user, "Graded");
        String slug = asService().post("/v1/quizzes/{id}/publish", id).then().statusCode(200).extract().path("slug");
        // the right answers are 1 and 2
        String graded = given().contentType("application/json").body(Map.of("answers", List.of(1, 0)))
                .post("/v1/public/quizzes/{slug}/answers", slug).then().statusCode(200)
                .body("score", equalTo(1)).body("total", equalTo(2)).body("correct", contains(true, false))
                .extract().asString();
        assertEquals(-1, graded.indexOf("answer"), "grading says right or wrong, never which option was right");
        given().contentType("application/json").body(Map.of("answers", List.of(1, 2)))
                .post("/v1/public/quizzes/{slug}/answers", slug).then().statusCode(200)
                .body("score", equalTo(2)).body("correct", contains(true, true));
        as(Tokens.user(newUser())).body(Map.of("answers", List.of(0, 0)))
                .post("/v1/public/quizzes/{slug}/answers", slug).then().statusCode(200).body("score", equalTo(0));

        for (Object answers : List.of(List.of(1), List.of(1, 2, 0), List.of())) {
            given().contentType("application/json").body(Map.of("answers", answers))
                    .post("/v1/public/quizzes/{slug}/answers", slug).then().statusCode(400)
                    .contentType("application/problem+json")
                    .body("type", equalTo("https://genledger.dev/problems/validation"))
                    .body("errors.field", contains("answers"));
        }
        given().contentType("application/json").body(Map.of("answers", List.of(1, 3)))
                .post("/v1/public/quizzes/{slug}/answers", slug).then().statusCode(400)
                .body("errors.field", contains("answers[1]"));
        given().contentType("application/json").body(Map.of("answers", List.of(-1, 0)))
                .post("/v1/public/quizzes/{slug}/answers", slug).then().statusCode(400);
        given().contentType("application/json").body("{\"answers\": [1, \"b\"]}")
                .post("/v1/public/quizzes/{slug}/answers", slug).then().statusCode(400)
                .body("type", equalTo("https://genledger.dev/problems/malformed-request"));
        given().contentType("application/json").body(Map.of())
                .post("/v1/public/quizzes/{slug}/answers", slug).then().statusCode(400);
        given().contentType("application/json").body(Map.of("answers", List.of(1, 2)))
                .post("/v1/public/quizzes/{slug}/answers", "no-such-slug-at-all-0000").then().statusCode(404);

        asService().post("/v1/quizzes/{id}/unpublish", id).then().statusCode(200);
        given().contentType("application/json").body(Map.of("answers", List.of(1, 2)))
                .post("/v1/public/quizzes/{slug}/answers", slug).then().statusCode(404);
    }

    @Test
    void insightsAreCreatedThenReplacedInPlace() {
        UUID user = newUser();
        String id = create(user, "q");
        String insightId = asService().body(Map.of("content", Map.of("weakTopics", List.of("sums"), "score", 0.5)))
                .put("/v1/quizzes/{id}/insights/summary", id).then().statusCode(201)
                .body("type", equalTo("summary")).body("content.weakTopics", contains("sums"))
                .body("status", equalTo("READY")).extract().path("id");
        asService().body(Map.of("content", Map.of("score", 0.9))).put("/v1/quizzes/{id}/insights/summary", id).then()
                .statusCode(200).body("id", equalTo(insightId)).body("content.score", equalTo(0.9f))
                .body("content", not(hasKey("weakTopics")));
        asService().body(Map.of("content", Map.of("n", 1))).put("/v1/quizzes/{id}/insights/difficulty", id).then()
                .statusCode(201);
        asService().get("/v1/quizzes/{id}/insights", id).then().statusCode(200)
                .body("type", contains("difficulty", "summary"));
        asService().body(Map.of("content", List.of(1, 2))).put("/v1/quizzes/{id}/insights/summary", id).then().statusCode(400);
        asService().body(Map.of("content", "text")).put("/v1/quizzes/{id}/insights/summary", id).then().statusCode(400);
        asService().body(Map.of()).put("/v1/quizzes/{id}/insights/summary", id).then().statusCode(400);
        asService().body(Map.of("content", Map.of())).put("/v1/quizzes/{id}/insights/Bad Type", id).then().statusCode(400);
        assertEquals(2, Database.queryLong("SELECT count(*) FROM insights WHERE quiz_id = ?::uuid", id));
    }

    @Test
    void concurrentPutsOfOneInsightLeaveExactlyOneRow() throws Exception {
        UUID user = newUser();
        String id = create(user, "q");
        List<Integer> statuses = Concurrently.run(30, i -> asService().body(Map.of("content", Map.of("run", i)))
                .put("/v1/quizzes/{id}/insights/summary", id).then().extract().statusCode());
        assertEquals(1, statuses.stream().filter(s -> s == 201).count());
        assertEquals(29, statuses.stream().filter(s -> s == 200).count());
        assertEquals(1, Database.queryLong("SELECT count(*) FROM insights WHERE quiz_id = ?::uuid", id));
    }

    @Test
    void aUserManagesTheirOwnQuizzes() {
        UUID user = newUser();
        String token = Tokens.user(user);
        String id = as(token).body(quiz("mine")).post("/v1/users/{id}/quizzes", user).then().statusCode(201)
                .extract().path("id");
        as(token).get("/v1/quizzes/{id}", id).then().statusCode(200);
        as(token).post("/v1/quizzes/{id}/publish", id).then().statusCode(200);
        as(token).body(Map.of("content", Map.of("a", 1))).put("/v1/quizzes/{id}/insights/notes", id).then().statusCode(201);
        as(token).delete("/v1/quizzes/{id}", id).then().statusCode(204);
    }
}
