package dev.genledger.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.genledger.support.PackagedApp;
import dev.genledger.support.ReplicaDatabase;
import dev.genledger.support.Tokens;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;

/**
 * The scheduled stuck-job sweep on three replicas of the packaged application, every second on
 * each: one replica at a time runs it (the advisory lock), and a replica SIGKILLed in the middle
 * of a run leaves nothing half done: its transaction is rolled back and another replica's run
 * fails each stuck job, and releases its hold, exactly once. Runs after packaging:
 * {@code ./mvnw verify -Pops-it}.
 */
class ScheduledOnceIT {

    private static final int JOBS = 60;
    private static final long GRANT = 1_000;

    private static ReplicaDatabase db;

    @BeforeAll
    static void database() throws Exception {
        db = ReplicaDatabase.start();
    }

    @AfterAll
    static void stopDatabase() throws Exception {
        db.close();
    }

    private static RequestSpecification api(PackagedApp app) {
        return RestAssured.given().port(app.http).auth().oauth2(Tokens.service()).contentType(ContentType.JSON);
    }

    @Test
    void theSweepRunsOnceAcrossReplicasAndAReplicaKilledMidRunLeavesNothingHalfDone() throws Exception {
        Map<String, PackagedApp> replicas = new HashMap<>();
        try {
            for (String name : List.of("a", "b", "c")) {
                Map<String, String> env = PackagedApp.prodEnvironment(db.urlFor(name));
                env.put("GENLEDGER_HOUSEKEEPING_EVERY", "1s");
                env.put("GENLEDGER_HOUSEKEEPING_DELAY", "1s");
                PackagedApp app = PackagedApp.start(PackagedApp.JAR, "scheduled-once-" + name, env);
                replicas.put("genledger-" + name, app);
                app.awaitReady(90_000); // one after the other: the first migrates
            }
            PackagedApp any = replicas.get("genledger-a");
            List<String> users = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                String id = api(any).body(Map.of("email", "sweep-" + UUID.randomUUID() + "@example.com"))
                        .post("/v1/users").then().statusCode(201).extract().path("id");
                api(any).header("Idempotency-Key", "setup-" + id).body(Map.of("amount", GRANT, "reason", "setup"))
                        .post("/v1/users/{id}/credits/grant", id).then().statusCode(201);
                users.add(id);
            }
            List<String> jobs = new ArrayList<>();
            for (int i = 0; i < JOBS; i++) {
                String job = api(any).body(Map.of("jobKey", "sweep-" + i, "kind", "quiz", "cost", 5))
                        .post("/v1/users/{id}/jobs", users.get(i % users.size())).then().statusCode(201).extract().path("id");
                api(any).post("/v1/jobs/{id}/start", job).then().statusCode(200);
                jobs.add(job);
            }
            String last = jobs.get(JOBS - 1);

            String killed;
            try (Connection blocker = db.connect()) {
                // The hold of the job started last, locked: a run fails the others first, then waits
                // for this row, holding the sweep's advisory lock with its work not yet committed.
                blocker.setAutoCommit(false);
                try (PreparedStatement ps = blocker.prepareStatement("SELECT 1 FROM credit_holds WHERE job_id = ? FOR UPDATE")) {
                    ps.setObject(1, UUID.fromString(last));
                    ps.executeQuery().close();
                }
                // Every job past the running deadline (15 minutes) at once, in the order they started.
                try (Connection c = db.connect(); Statement st = c.createStatement()) {
                    st.executeUpdate("UPDATE generation_jobs SET started_at = started_at - interval '1 hour'");
                }
                killed = db.killSweeperMidRun(replicas, null, Duration.ofSeconds(60)); // SIGKILL, mid-run
                assertEquals(0, db.count("SELECT count(*) FROM job_transitions WHERE to_status = 'FAILED'"),
                        "the killed replica's run was rolled back whole, and no other run got past the locked row");
                blocker.rollback();
            }

            long deadline = System.nanoTime() + 60_000_000_000L;
            while (db.count("SELECT count(*) FROM generation_jobs WHERE status = 'FAILED'") < JOBS) {
                assertTrue(System.nanoTime() < deadline, "the surviving replicas did not fail every stuck job");
                Thread.sleep(100);
            }
            Thread.sleep(3_000); // more runs on both survivors: they find nothing left to do
            assertEquals(JOBS, db.count("SELECT count(*) FROM job_transitions WHERE to_status = 'FAILED'"),
                    "each stuck job failed exactly once");
            assertEquals(JOBS, db.count("SELECT count(*) FROM credit_holds WHERE status = 'RELEASED'"),
                    "each hold released exactly once");
            assertEquals(0, db.count("SELECT count(*) FROM credit_ledger WHERE kind = 'CAPTURE'"));
            assertEquals(0, db.count("SELECT coalesce(sum(held), 0) FROM users"));
            assertEquals(users.size() * GRANT, db.count("SELECT sum(balance) FROM users"), "balances untouched by the releases");
            long sweepers = db.count("SELECT count(DISTINCT actor) FROM job_transitions WHERE to_status = 'FAILED'");
            assertEquals(1, sweepers, "the failures were written by the sweep");
            String victim = killed;
            PackagedApp survivor = replicas.entrySet().stream().filter(e -> !e.getKey().equals(victim))
                    .findFirst().orElseThrow().getValue();
            RestAssured.given().port(survivor.http).auth().oauth2(Tokens.admin()).get("/v1/admin/reconciliation")
                    .then().statusCode(200).body("mismatches.size()", org.hamcrest.Matchers.equalTo(0));
            System.out.printf("sweep: %s killed mid-run; %d stuck jobs failed once each by the survivors%n", killed, JOBS);
        } finally {
            replicas.values().forEach(PackagedApp::close);
        }
    }
}
