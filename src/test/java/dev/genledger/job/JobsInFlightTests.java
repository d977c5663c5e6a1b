package dev.genledger.job;

import static dev.genledger.support.Api.asAdmin;
import static dev.genledger.support.Api.asService;
import static dev.genledger.support.Api.newUserWith;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.genledger.support.Concurrently;
import dev.genledger.support.Database;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/** The cap on a user's jobs in flight, by the role of the caller creating one. */
@QuarkusTest
@TestProfile(JobsInFlightTests.SmallCaps.class)
class JobsInFlightTests {

    public static class SmallCaps implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("genledger.jobs.max-in-flight.service", "5", "genledger.jobs.max-in-flight.admin", "7");
        }
    }

    @AfterEach
    void reconciliationStaysClean() {
        asAdmin().get("/v1/admin/reconciliation").then().statusCode(200).body("mismatches", hasSize(0));
    }

    private static Map<String, Object> job(String key) {
        return Map.of("jobKey", key, "kind", "quiz", "cost", 2);
    }

    private static long inFlight(UUID user) {
        return Database.queryLong("SELECT count(*) FROM generation_jobs WHERE user_id = ? AND status IN ('PENDING', 'RUNNING')",
                user);
    }

    @Test
    void aCreateBeyondTheCallersLimitIs409AndHoldsNothingUntilAJobSettles() {
        UUID user = newUserWith(100);
        String first = null;
        for (int i = 0; i < 5; i++) {
            String id = asService().body(job("k" + i)).post("/v1/users/{id}/jobs", user).then().statusCode(201)
                    .extract().path("id");
            first = first == null ? id : first;
        }
        asService().body(job("k5")).post("/v1/users/{id}/jobs", user).then().statusCode(409)
                .contentType("application/problem+json")
                .body("type", equalTo("https://genledger.dev/problems/jobs-in-flight-exceeded"))
                .body("limit", equalTo(5)).body("inFlight", equalTo(5));
        asService().body(job("k0")).post("/v1/users/{id}/jobs", user).then().statusCode(200)
                .body("id", equalTo(first));
        assertEquals(10, Database.queryLong("SELECT held FROM users WHERE id = ?", user));
        // an admin's limit is its own
        asAdmin().body(job("a1")).post("/v1/users/{id}/jobs", user).then().statusCode(201);
        asAdmin().body(job("a2")).post("/v1/users/{id}/jobs", user).then().statusCode(201);
        asAdmin().body(job("a3")).post("/v1/users/{id}/jobs", user).then().statusCode(409);
        asService().post("/v1/jobs/{id}/cancel", first).then().statusCode(200);
        asService().body(job("k5")).post("/v1/users/{id}/jobs", user).then().statusCode(409)
                .body("inFlight", equalTo(6));
        asService().body(job("k5")).post("/v1/users/{id}/jobs", user).then().statusCode(409);
        assertEquals(6, inFlight(user));
    }

    @Test
    void aJobWhoseHoldRanOutNoLongerCounts() {
        UUID user = newUserWith(100);
        for (int i = 0; i < 5; i++) {
            asService().body(job("k" + i)).post("/v1/users/{id}/jobs", user).then().statusCode(201);
        }
        Database.execute("UPDATE generation_jobs SET hold_expires_at = now() - interval '1 second' WHERE user_id = ? "
                + "AND job_key = 'k0'", user);
        asService().body(job("k5")).post("/v1/users/{id}/jobs", user).then().statusCode(201);
    }

    @Test
    void manyConcurrentCreatesForOneUserNeverPutMoreThanTheLimitInFlight() throws Exception {
        UUID user = newUserWith(1000);
        List<Integer> statuses = Concurrently.run(24, n -> asService().body(job("race-" + n))
                .post("/v1/users/{id}/jobs", user).then().extract().statusCode());
        assertEquals(5, statuses.stream().filter(s -> s == 201).count(), statuses.toString());
        assertEquals(19, statuses.stream().filter(s -> s == 409).count(), statuses.toString());
        assertEquals(5, inFlight(user));
        assertEquals(10, Database.queryLong("SELECT held FROM users WHERE id = ?", user));
        assertEquals(5, Database.queryLong("SELECT count(*) FROM credit_holds WHERE user_id = ? AND status = 'OPEN'", user));
    }
}
