package dev.genledger.event;

import static dev.genledger.support.Api.as;
import static dev.genledger.support.Api.asAdmin;
import static dev.genledger.support.Api.asService;
import static dev.genledger.support.Api.grant;
import static dev.genledger.support.Api.newUser;
import static dev.genledger.support.Api.newUserWith;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import dev.genledger.support.Database;
import dev.genledger.support.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;

/** The outbox: which changes announce which events, in the change's own transaction, and the pull API. */
@QuarkusTest
class EventsTests {

    static List<Map<String, Object>> events(UUID user) {
        return asService().get("/v1/users/{id}/events?limit=200", user).then().statusCode(200).extract()
                .jsonPath().getList("items");
    }

    static List<String> types(UUID user) {
        return events(user).stream().map(e -> (String) e.get("type")).toList();
    }

    private static void spend(UUID user, long amount) {
        asService().body(Map.of("amount", amount, "reason", "r")).post("/v1/users/{id}/credits/spend", user).then()
                .statusCode(201);
    }

    private static String job(UUID user, String key, long cost) {
        return asService().body(Map.of("jobKey", key, "kind", "quiz", "cost", cost)).post("/v1/users/{id}/jobs", user)
                .then().statusCode(201).extract().path("id");
    }

    @Test
    void aGrantAnnouncesItsLedgerEntry() {
        UUID user = newUser();
        JsonPath entry = asService().body(Map.of("amount", 100, "reason", "welcome", "reference", "promo-1"))
                .post("/v1/users/{id}/credits/grant", user).then().statusCode(201).extract().jsonPath();
        JsonPath page = asService().get("/v1/users/{id}/events", user).then().statusCode(200).extract().jsonPath();
        assertEquals(List.of("credits.granted"), page.getList("items.type"));
        assertEquals(user.toString(), page.getString("items[0].userId"));
        assertNotNull(page.getString("items[0].occurredAt"));
        Map<String, Object> data = page.getMap("items[0].data");
        Map<String, Object> answered = entry.getMap("");
        assertNotNull(answered.remove("lot"), "the grant answers its lot beside its ledger entry");
        assertEquals(answered.keySet(), data.keySet(), "the event's data is the ledger entry the grant answered");
        assertEquals(Instant.parse((String) answered.remove("createdAt")), Instant.parse((String) data.remove("createdAt")));
        assertEquals(answered, data);
    }

    @Test
    void spendsAnnounceLowAndDepletedOnCrossingOnlyAndAGrantTheRecovery() {
        UUID user = newUserWith(30); // the deployment's threshold is 10
        spend(user, 5); // 25: ok
        spend(user, 15); // 10: low
        spend(user, 3); // 7: still low, nothing
        spend(user, 2); // 5: still low, nothing
        spend(user, 5); // 0: depleted
        grant(user, 3); // 3: low, but rising: nothing
        grant(user, 50); // 53: recovered
        spend(user, 1); // 52: ok, nothing
        // a grant moves the balance before it writes its ledger row: the recovery comes first
        assertEquals(List.of("credits.granted", "credits.low", "credits.depleted", "credits.granted",
                "credits.recovered", "credits.granted"), types(user));
        Map<String, Object> low = events(user).get(1);
        assertEquals(Map.of("balance", Map.of("userId", user.toString(), "balance", 10, "held", 0, "available", 10),
                "lowThreshold", 10), low.get("data"));
    }

    @Test
    void aNewUsersFirstGrantIsNoRecovery() {
        UUID user = newUserWith(100);
        assertEquals(List.of("credits.granted"), types(user));
    }

    @Test
    void aUsersOwnThresholdOverridesTheDeployments() {
        UUID user = newUserWith(100);
        asService().body(Map.of("lowThreshold", 60)).put("/v1/users/{id}/credit-alerts", user).then().statusCode(200)
                .body("lowThreshold", equalTo(60)).body("overridden", equalTo(true));
        spend(user, 41); // 59: low for this user, ok by the deployment's 10
        asService().delete("/v1/users/{id}/credit-alerts", user).then().statusCode(200)
                .body("lowThreshold", equalTo(10)).body("overridden", equalTo(false));
        assertEquals(List.of("credits.granted", "credits.low"), types(user));
        asService().body(Map.of("lowThreshold", -1)).put("/v1/users/{id}/credit-alerts", user).then().statusCode(400);
        as(Tokens.user(user)).body(Map.of("lowThreshold", 5)).put("/v1/users/{id}/credit-alerts", user).then()
                .statusCode(403);
    }

    @Test
    void holdsCountAgainstAvailableCredits() {
        UUID user = newUserWith(20);
        job(user, "big", 15); // available 5: low
        assertEquals(List.of("credits.granted", "credits.low"), types(user));
    }

    @Test
    void settledJobsAnnounceThemselves() {
        UUID user = newUserWith(1000);
        String ok = job(user, "ok", 10);
        String failed = job(user, "failed", 10);
        String cancelled = job(user, "cancelled", 10);
        asService().post("/v1/jobs/{id}/start", ok).then().statusCode(200);
        asService().body(Map.of("resultRef", "quiz:1")).post("/v1/jobs/{id}/succeed", ok).then().statusCode(200);
        asService().post("/v1/jobs/{id}/start", failed).then().statusCode(200);
        asService().body(Map.of("error", "model timed out")).post("/v1/jobs/{id}/fail", failed).then().statusCode(200);
        asService().post("/v1/jobs/{id}/cancel", cancelled).then().statusCode(200);
        List<Map<String, Object>> events = events(user);
        assertEquals(List.of("credits.granted", "job.succeeded", "job.failed", "job.cancelled"),
                events.stream().map(e -> e.get("type")).toList());
        @SuppressWarnings("unchecked")
        Map<String, Object> succeeded = (Map<String, Object>) events.get(1).get("data");
        Map<String, Object> job = asService().get("/v1/jobs/{id}", ok).then().statusCode(200).extract().jsonPath()
                .getMap("");
        job.remove("transitions");
        assertEquals(job.keySet(), succeeded.keySet(), "the event's data is the job as the API shows it");
        assertEquals(job.get("id"), succeeded.get("id"));
        assertEquals("SUCCEEDED", succeeded.get("status"));
        assertEquals("quiz:1", succeeded.get("resultRef"));
        assertEquals(job.get("holdTtl"), succeeded.get("holdTtl"));
        assertEquals(job.get("actualCost"), succeeded.get("actualCost"));
    }

    @Test
    void aJobTheSweepFailsAnnouncesItsHoldExpired() {
        UUID user = newUserWith(100);
        String id = job(user, "stuck", 10);
        asService().post("/v1/jobs/{id}/start", id).then().statusCode(200);
        Database.execute("UPDATE generation_jobs SET started_at = now() - interval '1 day' WHERE id = ?::uuid", id);
        asAdmin().post("/v1/admin/housekeeping/run").then().statusCode(200);
        List<Map<String, Object>> events = events(user);
        assertEquals(List.of("credits.granted", "hold.expired"), events.stream().map(e -> e.get("type")).toList());
        @SuppressWarnings("unchecked")
        Map<String, Object> data = (Map<String, Object>) events.get(1).get("data");
        assertEquals(id, data.get("id"));
        assertEquals("FAILED", data.get("status"));
    }

    @Test
    void deletingAndRestoringAUserAnnounceIt() {
        UUID user = newUser();
        asService().delete("/v1/users/{id}", user).then().statusCode(204);
        asAdmin().post("/v1/admin/users/{id}/restore", user).then().statusCode(200);
        JsonPath page = asAdmin().get("/v1/users/{id}/events", user).then().statusCode(200).extract().jsonPath();
        assertEquals(List.of("user.deleted", "user.restored"), page.getList("items.type"));
        assertEquals(user.toString(), page.getString("items[0].data.id"));
        assertNotNull(page.getString("items[0].data.email"));
    }

    @Test
    void aChangeThatRollsBackAnnouncesNothingAndOneMadeOutsideTheServiceDoes() throws Exception {
        UUID user = newUserWith(100);
        spendAllByHand(user, false);
        assertEquals(List.of("credits.granted"), types(user));
        spendAllByHand(user, true);
        assertEquals(List.of("credits.granted", "credits.depleted"), types(user));
    }

    /** What an operator at psql might do: spend all of the user's 100 credits, ledger row, lot draw and balance. */
    private static void spendAllByHand(UUID user, boolean commit) throws Exception {
        try (Connection c = Database.connect()) {
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement("""
                    WITH entry AS (INSERT INTO credit_ledger (user_id, amount, balance_after, kind, reason, actor)
                                   VALUES (?, -100, 0, 'ADMIN_ADJUSTMENT', 'by hand', 'ops') RETURNING id),
                    drawn AS (INSERT INTO credit_lot_draws (ledger_id, lot_id, amount)
                              SELECT entry.id, l.id, -l.remaining FROM entry, credit_lots l
                              WHERE l.user_id = ? AND l.remaining > 0)
                    UPDATE credit_lots SET remaining = 0 WHERE user_id = ?
                    """)) {
                ps.setObject(1, user);
                ps.setObject(2, user);
                ps.setObject(3, user);
                ps.executeUpdate();
            }
            try (PreparedStatement ps = c.prepareStatement("UPDATE users SET balance = 0 WHERE id = ?")) {
                ps.setObject(1, user);
                ps.executeUpdate();
            }
            if (commit) {
                c.commit();
            } else {
                c.rollback();
            }
        }
    }

    @Test
    void theServicesRoleCanReadButNeitherWriteNorDeleteEvents() throws Exception {
        UUID user = newUserWith(1);
        for (String sql : new String[] { "INSERT INTO events (user_id, type, data) VALUES ('" + user + "', 'credits.granted', '{}')",
                "DELETE FROM events WHERE user_id = '" + user + "'", "UPDATE events SET data = '{}' WHERE user_id = '" + user + "'" }) {
            try (Connection c = Database.connect("genledger"); PreparedStatement ps = c.prepareStatement(sql)) {
                java.sql.SQLException refused = org.junit.jupiter.api.Assertions.assertThrows(java.sql.SQLException.class,
                        ps::executeUpdate, sql);
                assertEquals("42501", refused.getSQLState(), sql);
            }
        }
        assertEquals(1, Database.queryLong("SELECT count(*) FROM events WHERE user_id = ?", user));
    }

    @Test
    void theStreamPagesOldestFirstAndACursorPicksUpWhereItStopped() {
        UUID user = newUserWith(100);
        for (int i = 0; i < 4; i++) {
            grant(user, 1);
        }
        JsonPath first = asService().get("/v1/users/{id}/events?limit=2", user).then().statusCode(200).extract().jsonPath();
        String cursor = first.getString("nextCursor");
        JsonPath second = asService().get("/v1/users/{id}/events?limit=10&after=" + cursor, user).then().statusCode(200)
                .extract().jsonPath();
        List<Long> ids = new ArrayList<>();
        first.getList("items.id", Long.class).forEach(ids::add);
        second.getList("items.id", Long.class).forEach(ids::add);
        assertEquals(5, ids.size());
        assertEquals(ids.stream().sorted().toList(), ids);
        String end = second.getString("nextCursor");
        asService().get("/v1/users/{id}/events?after=" + end, user).then().statusCode(200)
                .body("items.size()", equalTo(0)).body("nextCursor", equalTo(end));
        grant(user, 1);
        asService().get("/v1/users/{id}/events?after=" + end, user).then().statusCode(200)
                .body("items.size()", equalTo(1)).body("items[0].type", equalTo("credits.granted"));
        // the whole stream holds them too, for admins only
        JsonPath all = asAdmin().get("/v1/events?limit=200&after=" + cursor).then().statusCode(200).extract().jsonPath();
        assertTrue(all.getList("items.id", Long.class).containsAll(second.getList("items.id", Long.class)));
        asService().get("/v1/events").then().statusCode(403);
    }

    @Test
    void badCursorsLimitsAndOtherUsersEventsAreProblems() {
        UUID user = newUserWith(1);
        asService().get("/v1/users/{id}/events?after=nonsense", user).then().statusCode(400)
                .contentType("application/problem+json").body("type", equalTo("https://genledger.dev/problems/invalid-cursor"));
        asAdmin().get("/v1/events?after=ZXgu").then().statusCode(400).contentType("application/problem+json");
        asService().get("/v1/users/{id}/events?limit=0", user).then().statusCode(400);
        as(Tokens.user(newUser())).get("/v1/users/{id}/events", user).then().statusCode(404);
        as(Tokens.user(user)).get("/v1/users/{id}/events", user).then().statusCode(200).body("items.size()", equalTo(1));
        asService().get("/v1/users/{id}/events", UUID.randomUUID()).then().statusCode(404);
    }

    @Test
    void eventsPastTheirRetentionArePurged() throws Exception {
        UUID user = newUserWith(1);
        grant(user, 1);
        Database.execute("UPDATE events SET occurred_at = now() - interval '30 days' WHERE id = "
                + "(SELECT min(id) FROM events WHERE user_id = ?)", user);
        EventRetention retention = io.quarkus.arc.Arc.container().instance(EventRetention.class).get();
        assertTrue(io.quarkus.narayana.jta.QuarkusTransaction.requiringNew().call(retention::purge) >= 1);
        assertEquals(1, Database.queryLong("SELECT count(*) FROM events WHERE user_id = ?", user));
    }
}
