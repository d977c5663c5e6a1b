package dev.genledger.ops;

import static dev.genledger.support.Api.asAdmin;
import static dev.genledger.support.Api.asService;
import static dev.genledger.support.Api.balance;
import static dev.genledger.support.Api.newUserWith;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.genledger.support.Concurrently;
import dev.genledger.support.Database;
import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
class HousekeepingTests {

    /** The sweep's advisory lock key (JobService.SWEEP_LOCK). */
    private static final long SWEEP_LOCK = 0x67656e6c6a6f6273L;

    @AfterEach
    void reconciliationStaysClean() {
        asAdmin().get("/v1/admin/reconciliation").then().statusCode(200).body("mismatches", hasSize(0));
    }

    private static String running(UUID user, String key, long cost) {
        String id = asService().body(Map.of("jobKey", key, "kind", "quiz", "cost", cost)).post("/v1/users/{id}/jobs", user)
                .then().statusCode(201).extract().path("id");
        asService().post("/v1/jobs/{id}/start", id).then().statusCode(200);
        return id;
    }

    private static void stuckSinceAnHour(String job) {
        Database.execute("UPDATE generation_jobs SET started_at = now() - interval '1 hour' WHERE id = ?::uuid", job);
    }

    @Test
    void jobsRunningPastTheDeadlineAreFailedAndReleasedOthersAreLeftAlone() {
        UUID user = newUserWith(100);
        String stuck = running(user, "stuck", 30);
        String fresh = running(user, "fresh", 20);
        stuckSinceAnHour(stuck);
        asAdmin().post("/v1/admin/housekeeping/run").then().statusCode(200);
        asService().get("/v1/jobs/{id}", stuck).then().statusCode(200).body("status", equalTo("FAILED"))
                .body("transitions[2].actor", equalTo("admin:ops-admin"))
                .body("transitions[2].reason", equalTo("stuck-job sweep"));
        asService().get("/v1/jobs/{id}", fresh).then().statusCode(200).body("status", equalTo("RUNNING"));
        assertEquals(20, Database.queryLong("SELECT held FROM users WHERE id = ?", user));
        assertEquals(100, balance(user));
    }

    @Test
    void concurrentRunsDoTheWorkOnce() throws Exception {
        UUID user = newUserWith(1_000);
        List<String> jobs = new java.util.ArrayList<>();
        for (int i = 0; i < 10; i++) {
            String id = running(user, "s" + i, 10);
            stuckSinceAnHour(id);
            jobs.add(id);
        }
        List<Integer> swept = Concurrently.run(6, i -> asAdmin().post("/v1/admin/housekeeping/run").then()
                .statusCode(200).extract().<Integer> path("stuckJobsFailed"));
        assertEquals(10, swept.stream().filter(n -> n > 0).mapToInt(Integer::intValue).sum());
        for (String job : jobs) {
            assertEquals(1, Database.queryLong(
                    "SELECT count(*) FROM job_transitions WHERE job_id = ?::uuid AND to_status = 'FAILED'", job));
        }
        assertEquals(10, Database.queryLong("SELECT count(*) FROM credit_holds WHERE user_id = ? AND status = 'RELEASED'", user));
        assertEquals(0, Database.queryLong("SELECT held FROM users WHERE id = ?", user));
    }

    @Test
    void aRunSkipsTheSweepWhileAnotherReplicaHoldsItsLock() throws Exception {
        UUID user = newUserWith(100);
        String stuck = running(user, "elsewhere", 10);
        stuckSinceAnHour(stuck);
        try (Connection other = Database.connect()) {
            other.setAutoCommit(false);
            try (PreparedStatement ps = other.prepareStatement("SELECT pg_advisory_xact_lock(?)")) {
                ps.setLong(1, SWEEP_LOCK);
                ps.executeQuery().close();
            }
            asAdmin().post("/v1/admin/housekeeping/run").then().statusCode(200).body("stuckJobsFailed", equalTo(-1));
            asService().get("/v1/jobs/{id}", stuck).then().body("status", equalTo("RUNNING"));
            other.rollback();
        }
        asAdmin().post("/v1/admin/housekeeping/run").then().statusCode(200).body("stuckJobsFailed", equalTo(1));
        asService().get("/v1/jobs/{id}", stuck).then().body("status", equalTo("FAILED"));
    }
}
