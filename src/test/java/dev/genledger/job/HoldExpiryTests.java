package dev.genledger.job;

import static dev.genledger.support.Api.asAdmin;
import static dev.genledger.support.Api.asService;
import static dev.genledger.support.Api.balance;
import static dev.genledger.support.Api.inBackground;
import static dev.genledger.support.Api.ledgerRows;
import static dev.genledger.support.Api.newUserWith;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.genledger.api.Who;
import dev.genledger.support.Concurrently;
import dev.genledger.support.Database;
import dev.genledger.support.RowLock;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;

/** Holds that time out: the TTL, the worker's heartbeat, the expiry sweep and what a late settlement gets. */
@QuarkusTest
class HoldExpiryTests {

    private static final String EXPIRED = "https://genledger.dev/problems/job-expired";

    @Inject
    JobService jobs;

    @AfterEach
    void reconciliationStaysClean() {
        asAdmin().get("/v1/admin/reconciliation").then().statusCode(200).body("mismatches", hasSize(0));
    }

    private static Response create(UUID user, long cost, String holdTtl) {
        Map<String, Object> body = new HashMap<>(Map.of("jobKey", "k-" + UUID.randomUUID(), "kind", "quiz", "cost", cost));
        if (holdTtl != null) {
            body.put("holdTtl", holdTtl);
        }
        return asService().body(body).post("/v1/users/{id}/jobs", user);
    }

    private static String job(UUID user, long cost) {
        return create(user, cost, "PT1H").then().statusCode(201).extract().path("id");
    }

    /** Puts a job's hold past its expiry, as time would. */
    private static void runOut(String job) {
        Database.execute("UPDATE generation_jobs SET hold_expires_at = now() - interval '1 second' WHERE id = ?::uuid", job);
    }

    private int sweep() {
        return jobs.expireHolds(Who.system("test"));
    }

    private static String status(String job) {
        return asService().get("/v1/jobs/{id}", job).then().statusCode(200).extract().path("status");
    }

    private static long count(String sql, Object... params) {
        return Database.queryLong(sql, params);
    }

    private static String holdStatus(String job) {
        try (Connection c = Database.connect();
                PreparedStatement ps = c.prepareStatement("SELECT status FROM credit_holds WHERE job_id = ?::uuid")) {
            ps.setString(1, job);
            try (var rs = ps.executeQuery()) {
                rs.next();
                return rs.getString(1);
            }
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void aJobsHoldLivesItsTtlFromTheDatabaseClockAndTheDefaultWhenNoneIsAsked() {
        UUID user = newUserWith(100);
        Response asked = create(user, 10, "PT90S").then().statusCode(201).extract().response();
        assertEquals("PT1M30S", asked.path("holdTtl"));
        double left = count("SELECT extract(epoch FROM hold_expires_at - now()) FROM generation_jobs WHERE id = ?::uuid",
                (Object) asked.path("id"));
        assertTrue(left > 80 && left <= 90, "expires 90 s after its creation, not " + left);
        OffsetDateTime shown = OffsetDateTime.parse(asked.path("holdExpiresAt"));
        assertTrue(Duration.between(OffsetDateTime.now(), shown).toSeconds() > 80);
        create(user, 10, null).then().statusCode(201).body("holdTtl", equalTo("PT10M"));
    }

    @Test
    void aHoldTtlThatIsNoDurationOrOutOfBoundsIs400AndHoldsNothing() {
        UUID user = newUserWith(100);
        for (String bad : List.of("soon", "PT0.5S", "PT0S", "-PT5M", "PT1H1S", "P2D")) {
            create(user, 10, bad).then().statusCode(400).contentType("application/problem+json")
                    .body("type", equalTo("https://genledger.dev/problems/validation"))
                    .body("errors[0].field", equalTo("holdTtl"));
        }
        assertEquals(0, count("SELECT count(*) FROM generation_jobs WHERE user_id = ?", user));
        assertEquals(0, count("SELECT held FROM users WHERE id = ?", user));
    }

    @Test
    void theSameKeyWithAnotherHoldTtlIsRefused() {
        UUID user = newUserWith(100);
        Map<String, Object> body = Map.of("jobKey", "ttl", "kind", "quiz", "cost", 5, "holdTtl", "PT5M");
        asService().body(body).post("/v1/users/{id}/jobs", user).then().statusCode(201);
        asService().body(body).post("/v1/users/{id}/jobs", user).then().statusCode(200);
        asService().body(Map.of("jobKey", "ttl", "kind", "quiz", "cost", 5)).post("/v1/users/{id}/jobs", user)
                .then().statusCode(200);
        asService().body(Map.of("jobKey", "ttl", "kind", "quiz", "cost", 5, "holdTtl", "PT6M"))
                .post("/v1/users/{id}/jobs", user).then().statusCode(422);
    }

    @Test
    void aHeartbeatRenewsTheHoldForItsTtlFromNowAndWritesNoAuditRow() {
        UUID user = newUserWith(100);
        String id = create(user, 10, "PT2M").then().statusCode(201).extract().path("id");
        asService().post("/v1/jobs/{id}/start", id).then().statusCode(200);
        Database.execute("UPDATE generation_jobs SET hold_expires_at = now() + interval '3 seconds' WHERE id = ?::uuid", id);
        long audits = count("SELECT count(*) FROM audit_log WHERE entity = 'job' AND entity_id = ?", id);
        String renewed = asService().post("/v1/jobs/{id}/heartbeat", id).then().statusCode(200)
                .body("jobId", equalTo(id)).body("status", equalTo("RUNNING")).body("holdTtl", equalTo("PT2M"))
                .extract().path("holdExpiresAt");
        double left = count("SELECT extract(epoch FROM hold_expires_at - now()) FROM generation_jobs WHERE id = ?::uuid", id);
        assertTrue(left > 110 && left <= 120, "renewed to two minutes from now, not " + left);
        assertEquals(OffsetDateTime.parse(renewed).toInstant(), OffsetDateTime.parse(
                asService().get("/v1/jobs/{id}", id).then().extract().path("holdExpiresAt")).toInstant());
        assertEquals(audits, count("SELECT count(*) FROM audit_log WHERE entity = 'job' AND entity_id = ?", id));
        assertEquals(0, sweep());
    }

    @Test
    void aHeartbeatOnASettledJobIs409AndOnAnAbsentOne404() {
        UUID user = newUserWith(100);
        String id = job(user, 10);
        asService().body(Map.of("reason", "no")).post("/v1/jobs/{id}/cancel", id).then().statusCode(200);
        asService().post("/v1/jobs/{id}/heartbeat", id).then().statusCode(409)
                .contentType("application/problem+json")
                .body("type", equalTo("https://genledger.dev/problems/job-settled"))
                .body("currentStatus", equalTo("CANCELLED"));
        asService().post("/v1/jobs/{id}/heartbeat", UUID.randomUUID()).then().statusCode(404);
    }

    @Test
    void theSweepExpiresAJobNeitherSettledNorRenewedOnceAndGivesItsCreditsBack() {
        UUID user = newUserWith(100);
        String pending = job(user, 30);
        String running = job(user, 20);
        String alive = job(user, 5);
        asService().post("/v1/jobs/{id}/start", running).then().statusCode(200);
        runOut(pending);
        runOut(running);
        long ledger = ledgerRows(user);
        assertEquals(2, sweep());
        assertEquals(0, sweep());
        assertEquals("EXPIRED", status(pending));
        assertEquals("EXPIRED", status(running));
        assertEquals("PENDING", status(alive));
        assertEquals("RELEASED", holdStatus(pending));
        assertEquals("RELEASED", holdStatus(running));
        assertEquals(5, count("SELECT held FROM users WHERE id = ?", user));
        assertEquals(5, count("SELECT sum(held) FROM credit_lots WHERE user_id = ?", user));
        assertEquals(100, balance(user));
        assertEquals(ledger, ledgerRows(user), "a release moves no balance, so it writes no ledger row");
        asService().get("/v1/jobs/{id}", running).then()
                .body("transitions[-1].from", equalTo("RUNNING")).body("transitions[-1].to", equalTo("EXPIRED"))
                .body("transitions[-1].actor", equalTo("system:test")).body("finishedAt", org.hamcrest.Matchers.notNullValue());
        assertEquals(1, count("SELECT count(*) FROM job_transitions WHERE job_id = ?::uuid AND to_status = 'EXPIRED'", running));
        assertEquals(1, count("SELECT count(*) FROM audit_log WHERE entity = 'job' AND entity_id = ? AND action = 'STATUS' "
                + "AND new_values ->> 'status' = 'EXPIRED' AND actor = 'system:test'", running));
        assertEquals(2, count("SELECT count(*) FROM events WHERE user_id = ? AND type = 'hold.expired' "
                + "AND data ->> 'status' = 'EXPIRED'", user));
        asService().get("/v1/users/{id}/jobs?status=EXPIRED", user).then().statusCode(200).body("items", hasSize(2));
    }

    @Test
    void aSettlementAfterTheSweepExpiredTheJobIs409JobExpiredAndChargesNothing() {
        UUID user = newUserWith(100);
        String id = job(user, 30);
        asService().post("/v1/jobs/{id}/start", id).then().statusCode(200);
        runOut(id);
        assertEquals(1, sweep());
        Map<String, Map<String, Object>> moves = Map.of("succeed", Map.of("resultRef", "quiz:1"), "fail",
                Map.of("error", "e"), "cancel", Map.of("reason", "r"));
        for (var move : moves.entrySet()) {
            asService().body(move.getValue()).post("/v1/jobs/{id}/" + move.getKey(), id).then()
                    .statusCode(409).contentType("application/problem+json").body("type", equalTo(EXPIRED))
                    .body("currentStatus", equalTo("EXPIRED"));
        }
        asService().post("/v1/jobs/{id}/heartbeat", id).then().statusCode(409).body("type", equalTo(EXPIRED));
        assertEquals(100, balance(user));
        assertEquals(0, count("SELECT count(*) FROM credit_ledger WHERE user_id = ? AND kind = 'CAPTURE'", user));
        assertEquals("EXPIRED", status(id));
    }

    @Test
    void aSettlementOrHeartbeatPastTheExpiryBeforeAnySweepExpiresTheJobItselfAndIs409() {
        UUID user = newUserWith(100);
        String settled = job(user, 30);
        String beaten = job(user, 20);
        asService().post("/v1/jobs/{id}/start", settled).then().statusCode(200);
        runOut(settled);
        runOut(beaten);
        asService().body(Map.of("resultRef", "quiz:1")).post("/v1/jobs/{id}/succeed", settled).then()
                .statusCode(409).body("type", equalTo(EXPIRED));
        asService().post("/v1/jobs/{id}/heartbeat", beaten).then().statusCode(409).body("type", equalTo(EXPIRED));
        asService().post("/v1/jobs/{id}/start", beaten).then().statusCode(409).body("type", equalTo(EXPIRED));
        assertEquals("EXPIRED", status(settled));
        assertEquals("EXPIRED", status(beaten));
        assertEquals("RELEASED", holdStatus(settled));
        assertEquals(0, count("SELECT held FROM users WHERE id = ?", user));
        assertEquals(100, balance(user));
        assertEquals(0, sweep(), "nothing left for the sweep");
        assertEquals(1, count("SELECT count(*) FROM job_transitions WHERE job_id = ?::uuid AND to_status = 'EXPIRED'", settled));
    }

    @Test
    void sweepsRacingExpireEachJobExactlyOnce() throws Exception {
        List<UUID> users = new ArrayList<>();
        List<String> expiring = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            UUID user = newUserWith(50);
            users.add(user);
            for (int j = 0; j < 3; j++) {
                String id = job(user, 10);
                runOut(id);
                expiring.add(id);
            }
        }
        List<Integer> runs = Concurrently.run(8, n -> {
            int total = 0;
            for (int i = 0; i < 5; i++) {
                total += Math.max(0, sweep());
            }
            return total;
        });
        assertEquals(expiring.size(), runs.stream().mapToInt(Integer::intValue).sum());
        for (String id : expiring) {
            assertEquals(1, count("SELECT count(*) FROM job_transitions WHERE job_id = ?::uuid AND to_status = 'EXPIRED'", id));
            assertEquals("RELEASED", holdStatus(id));
        }
        for (UUID user : users) {
            assertEquals(0, count("SELECT held FROM users WHERE id = ?", user));
            assertEquals(3, count("SELECT count(*) FROM events WHERE user_id = ? AND type = 'hold.expired'", user));
        }
    }

    @Test
    void aSweepKilledMidwayLeavesNothingAndTheNextOneExpiresEachJobOnce() throws Exception {
        UUID first = newUserWith(50);
        UUID second = newUserWith(50);
        String a = job(first, 10);
        String b = job(second, 10);
        Database.execute("UPDATE generation_jobs SET hold_expires_at = now() - interval '2 seconds' WHERE id = ?::uuid", a);
        runOut(b);
        // The sweep expires jobs by expiry: it expires a, then waits for b's hold row.
        Response killed;
        try (Connection blocker = Database.connect()) {
            blocker.setAutoCommit(false);
            try (PreparedStatement ps = blocker.prepareStatement(
                    "SELECT 1 FROM credit_holds WHERE job_id = ?::uuid FOR UPDATE")) {
                ps.setString(1, b);
                ps.executeQuery().close();
            }
            var sweep = inBackground(() -> {
                try {
                    sweep();
                } catch (RuntimeException e) {
                    // the terminated backend fails the run; what matters is what it left
                }
                return null;
            });
            int pid = RowLock.waitingBackend();
            assertEquals(0, count("SELECT count(*) FROM job_transitions WHERE job_id = ?::uuid AND to_status = 'EXPIRED'", a),
                    "the sweep's expiry of a is not committed while it waits for b");
            RowLock.terminate(pid);
            killed = sweep.get(30, TimeUnit.SECONDS);
            blocker.rollback();
        }
        assertEquals(null, killed);
        assertEquals("PENDING", status(a), "the killed sweep's first expiry was rolled back with it");
        assertEquals("OPEN", holdStatus(a));
        assertEquals(10, count("SELECT held FROM users WHERE id = ?", first));
        assertEquals(2, sweep());
        assertEquals(0, sweep());
        for (String id : List.of(a, b)) {
            assertEquals("EXPIRED", status(id));
            assertEquals(1, count("SELECT count(*) FROM job_transitions WHERE job_id = ?::uuid AND to_status = 'EXPIRED'", id));
        }
    }

    @Test
    void heartbeatsRacingTheSweepLeaveEachJobEitherRenewedOrExpiredOnceNeverBoth() throws Exception {
        List<String> ids = new ArrayList<>();
        List<UUID> users = new ArrayList<>();
        for (int u = 0; u < 4; u++) {
            UUID user = newUserWith(200);
            users.add(user);
            for (int j = 0; j < 6; j++) {
                ids.add(job(user, 10));
            }
        }
        // each hold runs out at its own moment within the next half second
        for (int i = 0; i < ids.size(); i++) {
            Database.execute("UPDATE generation_jobs SET hold_expires_at = now() + ? * interval '20 milliseconds' "
                    + "WHERE id = ?::uuid", i, ids.get(i));
        }
        List<String> order = new ArrayList<>(ids);
        Collections.shuffle(order);
        Map<String, Integer> answers = new java.util.concurrent.ConcurrentHashMap<>();
        int beaters = 6;
        List<Integer> sweeps = Concurrently.run(beaters + 2, n -> {
            if (n < beaters) {
                for (int i = n; i < order.size(); i += beaters) {
                    String id = order.get(i);
                    answers.put(id, asService().post("/v1/jobs/{id}/heartbeat", id).then().extract().statusCode());
                }
                return 0;
            }
            int total = 0;
            while (answers.size() < order.size()) {
                total += Math.max(0, sweep());
            }
            return total;
        });
        int swept = sweeps.stream().mapToInt(Integer::intValue).sum();
        int renewed = 0;
        int expired = 0;
        for (String id : ids) {
            int answer = answers.get(id);
            long expiries = count("SELECT count(*) FROM job_transitions WHERE job_id = ?::uuid AND to_status = 'EXPIRED'", id);
            if (answer == 200) {
                renewed++;
                assertEquals("PENDING", status(id), id);
                assertEquals("OPEN", holdStatus(id));
                assertEquals(0, expiries);
                assertTrue(count("SELECT count(*) FROM generation_jobs WHERE id = ?::uuid "
                        + "AND hold_expires_at > now() + interval '50 minutes'", id) == 1, "renewed for its hour");
            } else {
                expired++;
                assertEquals(409, answer, id);
                assertEquals("EXPIRED", status(id), id);
                assertEquals("RELEASED", holdStatus(id));
                assertEquals(1, expiries);
            }
        }
        assertEquals(ids.size(), renewed + expired);
        assertTrue(swept <= expired, "the sweeps expired " + swept + ", the jobs expired are " + expired);
        for (UUID user : users) {
            assertEquals(10 * count("SELECT count(*) FROM credit_holds WHERE user_id = ? AND status = 'OPEN'", user),
                    count("SELECT held FROM users WHERE id = ?", user));
        }
    }
}
