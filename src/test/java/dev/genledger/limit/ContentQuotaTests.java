package dev.genledger.limit;

import static dev.genledger.support.Api.asAdmin;
import static dev.genledger.support.Api.asService;
import static dev.genledger.support.Api.newUser;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import dev.genledger.support.Concurrently;
import dev.genledger.support.Database;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;

/**
 * A user's stored content is capped: creating a quiz or insight beyond the quota is 409
 * quota-exceeded, and concurrent creates never overshoot it (counted in the database afterwards).
 */
@QuarkusTest
@TestProfile(ContentQuotaTests.SmallQuotas.class)
class ContentQuotaTests {

    public static class SmallQuotas implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("genledger.quotas.quizzes-per-user", "5", "genledger.quotas.insights-per-user", "3");
        }
    }

    private static Map<String, Object> quiz(String title) {
        return Map.of("title", title, "questions", List.of(Map.of("question", "1 + 1?", "options", List.of("1", "2"), "answer", 1)));
    }

    private static Response createQuiz(UUID user, String title) {
        return asService().body(quiz(title)).post("/v1/users/{id}/quizzes", user);
    }

    private static long liveQuizzes(UUID user) {
        return Database.queryLong("SELECT count(*) FROM quizzes WHERE user_id = ? AND deleted_at IS NULL", user);
    }

    private static long liveInsights(UUID user) {
        return Database.queryLong("SELECT count(*) FROM insights WHERE user_id = ? AND deleted_at IS NULL", user);
    }

    @Test
    void concurrentQuizCreatesNeverOvershootTheQuotaAndDeletingMakesRoom() throws Exception {
        UUID user = newUser();
        List<Integer> statuses = Concurrently.run(20, i -> createQuiz(user, "Quiz " + i).statusCode());
        assertEquals(5, statuses.stream().filter(s -> s == 201).count(), statuses.toString());
        assertEquals(15, statuses.stream().filter(s -> s == 409).count(), statuses.toString());
        assertEquals(5, liveQuizzes(user));

        createQuiz(user, "One too many").then().statusCode(409).contentType("application/problem+json")
                .body("type", equalTo("https://genledger.dev/problems/quota-exceeded"))
                .body("quota", equalTo("quizzes")).body("limit", equalTo(5));
        String newest = asService().get("/v1/users/{id}/quizzes", user).then().extract().path("items[0].id");
        asService().delete("/v1/quizzes/{id}", newest).then().statusCode(204);
        createQuiz(user, "In the freed place").then().statusCode(201);
        assertEquals(5, liveQuizzes(user));
        assertEquals(5, Database.queryLong("SELECT live_quizzes FROM content_usage WHERE user_id = ?", user));
    }

    @Test
    void concurrentNewInsightsNeverOvershootTheQuotaButReplacingOneIsFine() throws Exception {
        UUID user = newUser();
        String first = createQuiz(user, "First").then().statusCode(201).extract().path("id");
        String second = createQuiz(user, "Second").then().statusCode(201).extract().path("id");
        List<Integer> statuses = Concurrently.run(12, i -> asService().body(Map.of("content", Map.of("n", i)))
                .put("/v1/quizzes/{id}/insights/{type}", i % 2 == 0 ? first : second, "kind-" + i).statusCode());
        assertEquals(3, statuses.stream().filter(s -> s == 201).count(), statuses.toString());
        assertEquals(9, statuses.stream().filter(s -> s == 409).count(), statuses.toString());
        assertEquals(3, liveInsights(user));

        // Which three of the twelve won is up to the race: replace one of them, on whichever quiz it is.
        String withInsight = insightTypes(first).isEmpty() ? second : first;
        String existing = insightTypes(withInsight).get(0);
        asService().body(Map.of("content", Map.of("n", "again")))
                .put("/v1/quizzes/{id}/insights/{type}", withInsight, existing).then().statusCode(200);
        asService().body(Map.of("content", Map.of("n", "new"))).put("/v1/quizzes/{id}/insights/{type}", first, "another")
                .then().statusCode(409).body("quota", equalTo("insights")).body("limit", equalTo(3));
        assertEquals(3, liveInsights(user));
    }

    @Test
    void theCountsFollowDeletesAndRestoresOfTheUser() {
        UUID user = newUser();
        String quizId = createQuiz(user, "Counted").then().statusCode(201).extract().path("id");
        asService().body(Map.of("content", Map.of("n", 1))).put("/v1/quizzes/{id}/insights/summary", quizId)
                .then().statusCode(201);
        assertUsage(user, 1, 1);
        asService().delete("/v1/users/{id}", user).then().statusCode(204);
        assertUsage(user, 0, 0);
        asAdmin().post("/v1/admin/users/{id}/restore", user).then().statusCode(200);
        assertUsage(user, 1, 1);
        asService().delete("/v1/quizzes/{id}", quizId).then().statusCode(204);
        assertUsage(user, 0, 0);
    }

    private static List<String> insightTypes(String quizId) {
        return asService().get("/v1/quizzes/{id}/insights", quizId).then().statusCode(200).extract().jsonPath()
                .getList("type", String.class);
    }

    private static void assertUsage(UUID user, long quizzes, long insights) {
        assertEquals(quizzes, liveQuizzes(user));
        assertEquals(insights, liveInsights(user));
        assertEquals(quizzes, Database.queryLong("SELECT live_quizzes FROM content_usage WHERE user_id = ?", user));
        assertEquals(insights, Database.queryLong("SELECT live_insights FROM content_usage WHERE user_id = ?", user));
    }
}
