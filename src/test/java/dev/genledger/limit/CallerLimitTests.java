package dev.genledger.limit;

import static dev.genledger.support.Api.as;
import static dev.genledger.support.Api.asAdmin;
import static dev.genledger.support.Api.asService;
import static dev.genledger.support.Api.inBackground;
import static dev.genledger.support.Api.newUser;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import dev.genledger.support.Concurrently;
import dev.genledger.support.Database;
import dev.genledger.support.RowLock;
import dev.genledger.support.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;

/**
 * One caller can no longer take the service from the others: past its requests per second or its
 * requests in flight it is answered 429 (problem+json, Retry-After, RateLimit headers) before any
 * worker or connection is spent on it, while other callers are served.
 */
@QuarkusTest
@TestProfile(CallerLimitTests.TightLimits.class)
class CallerLimitTests {

    public static class TightLimits implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("genledger.limits.user.requests-per-second", "5", "genledger.limits.user.in-flight", "2",
                    "genledger.limits.service.requests-per-second", "200", "genledger.limits.service.in-flight", "100",
                    "genledger.limits.admin.requests-per-second", "10", "genledger.limits.admin.in-flight", "4",
                    "genledger.limits.public.requests-per-second", "3", "genledger.limits.public.in-flight", "2");
        }
    }

    private static Response balanceAs(String token, UUID user) {
        return as(token).get("/v1/users/{id}/balance", user);
    }

    @Test
    void aFloodFromOneUserIsAnswered429WithRetryAfterAndRateLimitHeadersWhileAnotherUserIsServed() throws Exception {
        UUID mallory = newUser();
        UUID alice = newUser();
        String malloryToken = Tokens.user(mallory);
        balanceAs(malloryToken, mallory).then().statusCode(200)
                .header("RateLimit-Policy", "\"user\";q=5;w=1, \"user-in-flight\";q=2;qu=\"concurrent-requests\"")
                .header("RateLimit", "\"user\";r=4;t=1");

        long started = System.nanoTime();
        List<Response> flood = Concurrently.run(40, i -> balanceAs(malloryToken, mallory));
        double seconds = (System.nanoTime() - started) / 1e9;
        List<Response> limited = flood.stream().filter(r -> r.statusCode() == 429).toList();
        long served = flood.stream().filter(r -> r.statusCode() == 200).count();
        assertEquals(flood.size(), limited.size() + served, "every request is either served or refused");
        assertTrue(served <= 4 + 5 * seconds + 1, served + " served in " + seconds + " s: more than 5 per second");
        assertFalse(limited.isEmpty(), "40 requests at once were all served");
        for (Response r : limited) {
            r.then().contentType("application/problem+json")
                    .header("Retry-After", "1")
                    .header("RateLimit-Policy", "\"user\";q=5;w=1, \"user-in-flight\";q=2;qu=\"concurrent-requests\"")
                    .header("RateLimit", matchesPattern("\"user(-in-flight)?\";r=0;t=1"))
                    .body("type", equalTo("https://genledger.dev/problems/rate-limited"))
                    .body("status", equalTo(429))
                    .body("violated-policies", hasSize(1))
                    .body("instance", equalTo("/v1/users/" + mallory + "/balance"))
                    .body("requestId", notNullValue());
        }

        balanceAs(Tokens.user(alice), alice).then().statusCode(200).header("RateLimit", "\"user\";r=4;t=1");
    }

    @Test
    void beyondItsRequestsPerSecondACallerIsRefusedUntilTheBudgetRefills() throws InterruptedException {
        UUID user = newUser();
        String token = Tokens.user(user);
        long started = System.nanoTime();
        int served = 0;
        Response refused = null;
        for (int i = 0; i < 200 && refused == null; i++) {
            Response r = balanceAs(token, user);
            if (r.statusCode() == 429) {
                refused = r;
            } else {
                r.then().statusCode(200);
                served++;
            }
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        assertNotNull(refused, "200 requests in a row were all served");
        assertTrue(served <= 5 + 5 * seconds + 1, served + " served in " + seconds + " s: more than 5 per second");
        refused.then().header("Retry-After", "1").header("RateLimit", "\"user\";r=0;t=1")
                .body("violated-policies", contains("user"));
        Thread.sleep(1100);
        balanceAs(token, user).then().statusCode(200);
    }

    @Test
    void requestsInFlightAreBoundedPerCaller() throws Exception {
        UUID mallory = newUser();
        UUID alice = newUser();
        String malloryToken = Tokens.user(mallory);
        String quiz = asService().body(Map.of("title", "Slow", "questions",
                List.of(Map.of("question", "q?", "options", List.of("a", "b"), "answer", 0))))
                .post("/v1/users/{id}/quizzes", mallory).then().statusCode(201).extract().path("id");
        List<CompletableFuture<Response>> slow;
        try (Connection lock = Database.connect()) {
            // Two changes of the quiz wait on its row lock, so they stay in flight.
            lock.setAutoCommit(false);
            try (PreparedStatement ps = lock.prepareStatement("SELECT 1 FROM quizzes WHERE id = ?::uuid FOR UPDATE")) {
                ps.setString(1, quiz);
                ps.executeQuery().close();
            }
            slow = List.of(
                    inBackground(() -> as(malloryToken).body(Map.of("title", "One")).patch("/v1/quizzes/{id}", quiz)),
                    inBackground(() -> as(malloryToken).body(Map.of("title", "Two")).patch("/v1/quizzes/{id}", quiz)));
            awaitWaitingBackends(2);

            List<Response> more = Concurrently.run(4, i -> balanceAs(malloryToken, mallory));
            for (Response r : more) {
                r.then().statusCode(429).header("Retry-After", "1")
                        .header("RateLimit", "\"user-in-flight\";r=0;t=1")
                        .body("violated-policies", contains("user-in-flight"));
            }
            balanceAs(Tokens.user(alice), alice).then().statusCode(200);
            lock.rollback();
        }
        for (CompletableFuture<Response> response : slow) {
            response.get(15, TimeUnit.SECONDS).then().statusCode(200);
        }
        balanceAs(malloryToken, mallory).then().statusCode(200);
    }

    @Test
    void theAppBackendHasItsOwnHigherBudgetAndAdminsTheirs() {
        UUID user = newUser();
        for (int i = 0; i < 60; i++) {
            asService().get("/v1/users/{id}/balance", user).then().statusCode(200)
                    .header("RateLimit-Policy", "\"service\";q=200;w=1, \"service-in-flight\";q=100;qu=\"concurrent-requests\"");
        }
        asAdmin().get("/v1/admin/users").then().statusCode(200)
                .header("RateLimit-Policy", "\"admin\";q=10;w=1, \"admin-in-flight\";q=4;qu=\"concurrent-requests\"");
    }

    @Test
    void publicRoutesAreLimitedByClientAddress() {
        List<Integer> statuses = new ArrayList<>();
        Response refused = null;
        for (int i = 0; i < 100 && refused == null; i++) {
            Response r = given().get("/v1/public/quizzes/{slug}", "no-such-slug-0123456789");
            statuses.add(r.statusCode());
            refused = r.statusCode() == 429 ? r : null;
        }
        assertEquals(List.of(404, 404, 404), statuses.subList(0, 3), "the budget of 3 is served first");
        assertNotNull(refused, statuses.toString());
        refused.then().contentType("application/problem+json")
                .header("RateLimit-Policy", "\"public\";q=3;w=1, \"public-in-flight\";q=2;qu=\"concurrent-requests\"")
                .body("violated-policies", contains("public"));
    }

    @Test
    void aRequestWithoutAValidTokenIsStillAnswered401() {
        for (int i = 0; i < 10; i++) {
            given().get("/v1/users/{id}/balance", UUID.randomUUID()).then().statusCode(401);
        }
    }

    private static void awaitWaitingBackends(int count) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (Database.queryLong("SELECT count(*) FROM (" + RowLock.WAITING + ") w") < count) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the slow requests never started waiting");
            }
            Thread.sleep(10);
        }
    }
}
