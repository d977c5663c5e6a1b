package dev.genledger.db;

import static dev.genledger.support.Api.asService;
import static dev.genledger.support.Api.newUserWith;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.genledger.support.Metrics;
import dev.genledger.support.StreamingStandby;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;
import io.restassured.response.Response;

/**
 * Reads from a real hot standby (pg_basebackup, streaming) whose replay the tests pause: a client
 * that sends the token of its own write never gets data older than that write, a client without a
 * token is answered by the standby (stale, which proves the standby answered), and a lagging or
 * stopped standby is bypassed, counted, and readiness stays UP. Both ways of reading are covered:
 * the ledger through Panache, quizzes through plain JDBC.
 */
@QuarkusTest
@TestProfile(ReplicaReadsTests.WithStandby.class)
class ReplicaReadsTests {

    private static final String TOKEN = "Consistency-Token";

    public static class WithStandby implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("genledger.replica.poll-interval", "100MS", "genledger.replica.max-lag", "4S",
                    "genledger.replica.catch-up-wait", "300MS");
        }

        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(StreamingStandby.class));
        }
    }

    @AfterEach
    void replayAgain() throws Exception {
        StreamingStandby.resumeReplay();
        StreamingStandby.awaitCaughtUp();
        Thread.sleep(300); // the monitor sees it caught up again
    }

    @Test
    void aReadWithTheTokenOfANewerWriteGetsThePrimarysAnswerAndOneWithoutMayGetTheReplicas() throws Exception {
        UUID user = newUserWith(100);
        StreamingStandby.awaitCaughtUp();
        StreamingStandby.pauseReplay();
        double behind = bypassed(Replica.BEHIND_TOKEN);

        Response spend = spend(user, 30);
        String token = spend.header(TOKEN);
        assertNotNull(token, "a write answers a consistency token");
        long spendId = ((Number) spend.path("id")).longValue();

        // The standby stopped before the spend: without a token the read may be (and is) its older page.
        assertEquals(List.of("GRANT"), ledgerKinds(user, null));
        // With the token of the spend, the primary answers: the spend is there.
        assertEquals(List.of("SPEND", "GRANT"), ledgerKinds(user, token));
        assertEquals(spendId, ((Number) ledger(user, token).path("items[0].id")).longValue());
        assertTrue(bypassed(Replica.BEHIND_TOKEN) >= behind + 1, "the stale standby was bypassed for the token");
    }

    @Test
    void aQuizReadWithTheTokenOfItsCreationFindsItWhileTheReplicaHasNotReplayedIt() throws Exception {
        UUID user = newUserWith(0);
        StreamingStandby.awaitCaughtUp();
        StreamingStandby.pauseReplay();

        Response created = asService().body(Map.of("title", "Capitals", "questions",
                List.of(Map.of("question", "France?", "options", List.of("Paris", "Rome"), "answer", 0))))
                .post("/v1/users/{id}/quizzes", user).then().statusCode(201).extract().response();
        String id = created.path("id");
        String token = created.header(TOKEN);
        assertNotNull(token);

        asService().header(TOKEN, token).get("/v1/quizzes/{id}", id).then().statusCode(200)
                .body("title", equalTo("Capitals"));
        asService().header(TOKEN, token).get("/v1/users/{id}/quizzes", user).then().statusCode(200)
                .body("items.size()", equalTo(1));
        // Without the token the standby answers, and it has not seen the quiz yet.
        asService().get("/v1/quizzes/{id}", id).then().statusCode(404);
        asService().get("/v1/users/{id}/quizzes", user).then().statusCode(200).body("items.size()", equalTo(0));
    }

    @Test
    void aTokenTheReplicaHasReplayedIsAnsweredByTheReplica() throws Exception {
        UUID user = newUserWith(100);
        String token = spend(user, 10).header(TOKEN);
        StreamingStandby.awaitCaughtUp();
        Thread.sleep(300);
        StreamingStandby.pauseReplay();
        spend(user, 20);

        // The token is older than the standby's data: the standby may answer, and does (without the newer spend).
        assertEquals(List.of("SPEND", "GRANT"), ledgerKinds(user, token));
    }

    @Test
    void aReplicaLaggingPastTheBoundIsBypassedAndTheLagIsAMetric() throws Exception {
        UUID user = newUserWith(100);
        StreamingStandby.awaitCaughtUp();
        StreamingStandby.pauseReplay();
        spend(user, 5);
        double lagging = bypassed(Replica.LAGGING);
        awaitLagOver(4.0);

        // No token, yet the fresh answer: the primary's.
        assertEquals(List.of("SPEND", "GRANT"), ledgerKinds(user, null));
        assertTrue(bypassed(Replica.LAGGING) >= lagging + 1);
    }

    @Test
    void aStoppedReplicaIsBypassedAndReadinessStaysUp() throws Exception {
        UUID user = newUserWith(100);
        StreamingStandby.awaitCaughtUp();
        double down = bypassed(Replica.DOWN);
        StreamingStandby.stopStandby();
        try {
            spend(user, 7);
            assertEquals(List.of("SPEND", "GRANT"), ledgerKinds(user, null));
            assertTrue(bypassed(Replica.DOWN) >= down + 1);
            RestAssured.given().port(managementPort()).get("/q/health/ready").then().statusCode(200);
        } finally {
            StreamingStandby.startStandby();
        }
    }

    @Test
    void aMalformedTokenIsABadRequest() {
        UUID user = newUserWith(1);
        asService().header(TOKEN, "not a token").get("/v1/users/{id}/ledger", user).then().statusCode(400)
                .contentType("application/problem+json")
                .body("type", equalTo("https://genledger.dev/problems/invalid-consistency-token"));
    }

    private static Response spend(UUID user, long amount) {
        return asService().body(Map.of("amount", amount, "reason", "test")).post("/v1/users/{id}/credits/spend", user)
                .then().statusCode(201).extract().response();
    }

    private static Response ledger(UUID user, String token) {
        var request = asService();
        if (token != null) {
            request = request.header(TOKEN, token);
        }
        return request.get("/v1/users/{id}/ledger", user).then().statusCode(200).extract().response();
    }

    private static List<String> ledgerKinds(UUID user, String token) {
        return ledger(user, token).path("items.kind");
    }

    private static double bypassed(String reason) {
        return Metrics.sum("genledger_db_replica_bypassed_total", "reason=\"" + reason + "\"");
    }

    private static void awaitLagOver(double seconds) throws InterruptedException {
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (Metrics.sum("genledger_db_replica_lag_seconds", "datasource=\"replica\"") <= seconds) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the replica's lag never passed " + seconds + " s");
            }
            Thread.sleep(100);
        }
    }

    private static int managementPort() {
        return ConfigProvider.getConfig().getValue("quarkus.management.port", Integer.class);
    }
}
