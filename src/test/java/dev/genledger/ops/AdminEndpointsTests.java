package dev.genledger.ops;

import static dev.genledger.support.Api.asAdmin;
import static dev.genledger.support.Api.asService;
import static dev.genledger.support.Api.newUserWith;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import dev.genledger.support.Concurrently;
import dev.genledger.support.Database;
import dev.genledger.support.Metrics;
import dev.genledger.support.RowLock;
import dev.genledger.support.SaturatedPool;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;

@QuarkusTest
class AdminEndpointsTests {

    @Inject
    AgroalDataSource api;

    @Test
    void adminEndpointsAreForTheAdminRoleOnly() {
        for (String path : List.of("/v1/admin/db", "/v1/admin/db/statistics", "/v1/admin/db/migrations", "/v1/admin/stats")) {
            asService().get(path).then().statusCode(403);
        }
        for (String path : List.of("/v1/admin/db/pool/flush", "/v1/admin/maintenance/optimize", "/v1/admin/maintenance/retention")) {
            asService().post(path).then().statusCode(403);
        }
        io.restassured.RestAssured.given().get("/v1/admin/db").then().statusCode(401);
    }

    @Test
    void databaseStatusShowsVersionPoolsConnectionsTimeoutsAndTheLastHealthCheck() {
        newUserWith(5); // the API pool and its circuit breakers have been used
        JsonPath db = asAdmin().get("/v1/admin/db").then().statusCode(200).extract().jsonPath();
        assertTrue(db.getInt("versionNumber") >= 150000, "a PostgreSQL version number");
        assertTrue(db.getString("version").startsWith("PostgreSQL"));
        assertEquals(20, db.getInt("pool.maxSize"));
        assertEquals(2, db.getInt("adminPool.maxSize"));
        assertTrue(db.getLong("pool.active") + db.getLong("pool.available") >= 1);
        assertEquals("2000ms", db.getString("sessionSettings.statement_timeout"));
        assertEquals("1000ms", db.getString("sessionSettings.lock_timeout"));
        assertEquals("repeatable read", db.getString("sessionSettings.default_transaction_isolation"));
        List<String> apps = db.getList("connections.applicationName");
        assertTrue(apps.contains("genledger"), "the API pool's backends are listed: " + apps);
        assertTrue(apps.contains("genledger-admin"), "and the admin pool's: " + apps);
        assertTrue(db.getBoolean("lastHealthCheck.up"));
        assertNotNull(db.get("lastHealthCheck.latencyMillis"));
        assertEquals(0, db.getInt("pendingMigrations"));
        assertEquals(Database.latestMigration(), db.getString("schemaVersion"));
        List<Map<String, String>> breakers = db.getList("circuitBreakers");
        assertTrue(breakers.stream().anyMatch(b -> b.get("method").endsWith("UserResource.create")
                && b.get("state").equals("closed")), "circuit breaker states are listed: " + breakers);
    }

    @Test
    void databaseStatusStillAnswersWhileEveryApiConnectionIsHeld() throws Exception {
        try (SaturatedPool saturated = SaturatedPool.of(api)) {
            long started = System.nanoTime();
            JsonPath db = asAdmin().get("/v1/admin/db").then().statusCode(200).extract().jsonPath();
            long millis = (System.nanoTime() - started) / 1_000_000;
            assertNull(db.get("sessionSettings"), "no API connection to read them on");
            assertEquals(db.getLong("pool.maxSize"), db.getLong("pool.active"));
            assertTrue(db.getLong("pool.awaiting") >= 1, "callers are queueing for the API pool");
            assertTrue(db.getBoolean("lastHealthCheck.up"));
            assertTrue(db.getList("connections.applicationName").contains("genledger-admin"));
            assertTrue(millis < 3_000, "one wait for an API connection, then the answer: " + millis + " ms");
        }
        asAdmin().get("/v1/admin/db").then().statusCode(200).body("sessionSettings.statement_timeout", equalTo("2000ms"));
    }

    @Test
    void statisticsListEveryTableWithSizesDeadTuplesVacuumTimesAndIndexUsage() {
        newUserWith(5);
        JsonPath stats = asAdmin().get("/v1/admin/db/statistics").then().statusCode(200).extract().jsonPath();
        assertTrue(stats.getList("table").containsAll(List.of("users", "credit_ledger", "flyway_schema_history")));
        Map<String, Object> ledger = stats.getMap("find { it.table == 'credit_ledger' }");
        assertTrue(((Number) ledger.get("totalBytes")).longValue() > 0);
        assertTrue(ledger.containsKey("deadRows") && ledger.containsKey("lastAutovacuum") && ledger.containsKey("rowEstimate"));
        List<String> indexes = stats.getList("find { it.table == 'credit_ledger' }.indexes.index");
        assertTrue(indexes.contains("credit_ledger_user_id_idx"), indexes.toString());
    }

    @Test
    void migrationsListWhatIsAppliedWithChecksumsAndTimes() {
        asAdmin().get("/v1/admin/db/migrations").then().statusCode(200)
                .body("current", equalTo(Database.latestMigration()))
                .body("pending", equalTo(0))
                .body("applied", greaterThanOrEqualTo(2))
                .body("migrations.version", hasItem("1"))
                .body("migrations.find { it.version == '10' }.script", equalTo("db/migration/V10__user_stats_view.sql"))
                .body("migrations.find { it.version == '10' }.state", equalTo("Success"))
                .body("migrations.find { it.version == '10' }.checksum", notNullValue())
                .body("migrations.find { it.version == '10' }.installedOn", notNullValue());
    }

    @Test
    void optimizeVacuumsTheHotTablesAndRefreshesUserStats() {
        UUID user = newUserWith(100);
        asService().body(Map.of("amount", 30, "reason", "quiz")).post("/v1/users/{id}/credits/spend", user).then().statusCode(201);
        asService().body(Map.of("amount", 5, "reason", "sorry")).post("/v1/users/{id}/credits/refund", user).then().statusCode(201);
        String job = asService().body(Map.of("jobKey", "stats-" + UUID.randomUUID(), "kind", "quiz", "cost", 10))
                .post("/v1/users/{id}/jobs", user).then().statusCode(201).extract().path("id");
        asService().post("/v1/jobs/{id}/start", job).then().statusCode(200);
        asService().body(Map.of("jobKey", "stats-" + UUID.randomUUID(), "kind", "quiz", "cost", 1))
                .post("/v1/users/{id}/jobs", user).then().statusCode(201);
        asService().body(Map.of("title", "Capitals", "questions", List.of(Map.of("question", "Capital of France?",
                "options", List.of("Paris", "Rome"), "answer", 0)))).post("/v1/users/{id}/quizzes", user).then().statusCode(201);

        JsonPath done = asAdmin().post("/v1/admin/maintenance/optimize").then().statusCode(200).extract().jsonPath();
        assertEquals(List.of("users", "credit_ledger", "user_stats"), done.getList("steps.relation"));
        assertTrue(Database.queryLong("SELECT count(*) FROM pg_stat_user_tables WHERE relname = 'credit_ledger' AND last_vacuum IS NOT NULL") == 1,
                "credit_ledger was vacuumed");

        Map<String, Object> row = findStats(user);
        assertEquals(100, ((Number) row.get("creditsGranted")).longValue());
        assertEquals(30, ((Number) row.get("creditsSpent")).longValue());
        assertEquals(5, ((Number) row.get("creditsRefunded")).longValue());
        assertEquals(3, ((Number) row.get("ledgerRows")).longValue());
        assertEquals(75, ((Number) row.get("balance")).longValue());
        assertEquals(11, ((Number) row.get("held")).longValue());
        assertEquals(1, ((Number) row.get("jobsPending")).longValue());
        assertEquals(1, ((Number) row.get("jobsRunning")).longValue());
        assertEquals(0, ((Number) row.get("jobsSucceeded")).longValue());
        assertEquals(1, ((Number) row.get("quizzes")).longValue());
    }

    private static Map<String, Object> findStats(UUID user) {
        String cursor = null;
        do {
            var request = asAdmin().queryParam("limit", 200);
            if (cursor != null) {
                request = request.queryParam("cursor", cursor);
            }
            JsonPath page = request.get("/v1/admin/stats").then().statusCode(200).extract().jsonPath();
            Map<String, Object> row = page.getMap("items.find { it.userId == '" + user + "' }");
            if (row != null) {
                return row;
            }
            cursor = page.getString("nextCursor");
        } while (cursor != null);
        throw new AssertionError("user " + user + " is not in user_stats");
    }

    @Test
    @org.junit.jupiter.api.condition.DisabledIfSystemProperty(named = "quarkus.test.profile", matches = ".*pgbouncer.*",
            disabledReason = "behind PgBouncer the flush closes the pool's connections to PgBouncer; its server connections stay")
    void aFlushReplacesIdleConnectionsAndLeavesInFlightRequestsAlone() throws Exception {
        UUID user = newUserWith(100);
        double retriesBefore = Metrics.sum("ft_retry_retries_total", "CreditResource.spend");
        CompletableFuture<Response> spend;
        Set<Integer> idleBefore;
        int inFlight;
        try (RowLock lock = RowLock.onUser(user)) {
            spend = inBackground(() -> asService().body(Map.of("amount", 10, "reason", "in flight"))
                    .post("/v1/users/{id}/credits/spend", user));
            inFlight = RowLock.waitingBackend();
            idleBefore = backends("idle");
            assertFalse(idleBefore.isEmpty(), "the pool holds idle connections");

            asAdmin().post("/v1/admin/db/pool/flush").then().statusCode(200)
                    .body("idleClosed", greaterThanOrEqualTo(idleBefore.size()));

            Set<Integer> now = backends(null);
            for (int pid : idleBefore) {
                assertFalse(now.contains(pid), "idle backend " + pid + " was closed");
            }
            assertTrue(now.contains(inFlight), "the in-flight request's backend is untouched");
            // the pool refills to its minimum in the background, just after the flush
            long refillBy = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (backends("idle").isEmpty() && System.nanoTime() < refillBy) {
                Thread.sleep(50);
            }
            assertFalse(backends("idle").isEmpty(), "the pool was refilled");
            lock.commit(); // the spend's snapshot is older: one serialization retry is expected
        }
        spend.get(15, TimeUnit.SECONDS).then().statusCode(201);
        assertTrue(Metrics.sum("ft_retry_retries_total", "CreditResource.spend") - retriesBefore <= 1);
        assertEquals(90, dev.genledger.support.Api.balance(user));
    }

    @Test
    void longAdminCallsUseTheirOwnPoolAndNeverStarveTheApi() throws Exception {
        try (Connection blocker = Database.connect()) {
            blocker.setAutoCommit(false);
            // VACUUM of users has to wait for this lock; ordinary writes do not.
            blocker.createStatement().execute("LOCK TABLE users IN SHARE UPDATE EXCLUSIVE MODE");
            CompletableFuture<Response> first = inBackground(() -> asAdmin().post("/v1/admin/maintenance/optimize"));
            CompletableFuture<Response> second = inBackground(() -> asAdmin().post("/v1/admin/maintenance/optimize"));
            waitFor(() -> Database.queryLong("SELECT count(*) FROM pg_stat_activity WHERE application_name = 'genledger-admin'"
                    + " AND wait_event_type = 'Lock'") == 2);

            // The admin pool is full: a third admin call gets a fast 503, the API carries on.
            asAdmin().get("/v1/admin/db/statistics").then().statusCode(503).header("Retry-After", notNullValue())
                    .body("cause", equalTo("pool-exhausted"));
            List<Integer> api = Concurrently.run(8, i -> newUserWith(10) == null ? 0 : 1);
            assertEquals(8, api.stream().mapToInt(Integer::intValue).sum());

            blocker.rollback();
            first.get(20, TimeUnit.SECONDS).then().statusCode(200);
            second.get(20, TimeUnit.SECONDS).then().statusCode(200);
        }
    }

    @Test
    void twoConcurrentRetentionRunsDoTheWorkOnce() throws Exception {
        int before = CountingRetentionStep.RUNS.get();
        CountingRetentionStep.delayMillis = 1500;
        List<JsonPath> reports;
        try {
            reports = Concurrently.run(2, i -> asAdmin().post("/v1/admin/maintenance/retention")
                    .then().statusCode(200).extract().jsonPath());
        } finally {
            CountingRetentionStep.delayMillis = 0;
        }
        assertEquals(1, CountingRetentionStep.RUNS.get() - before, "the purge ran once");
        assertEquals(1, reports.stream().filter(r -> r.getBoolean("ran")).count());
        JsonPath ran = reports.stream().filter(r -> r.getBoolean("ran")).findFirst().orElseThrow();
        assertEquals("admin", ran.getString("trigger"));
        assertEquals(List.of("test-counter", "events", "insights", "quizzes", "jobs", "users", "auditEntries"), ran.getList("purged.step"));
    }

    @Test
    void aRetentionRunPurgesAUserDeletedLongerAgoThanTheRetentionPeriod() {
        java.util.UUID user = dev.genledger.support.Api.newUserWith(5);
        asAdmin().delete("/v1/users/{id}", user).then().statusCode(204);
        Database.execute("UPDATE users SET deleted_at = now() - interval '31 days' WHERE id = ?", user);
        JsonPath report = asAdmin().post("/v1/admin/maintenance/retention").then().statusCode(200).extract().jsonPath();
        assertTrue(report.getBoolean("ran"));
        assertTrue(report.getLong("purged.find { it.step == 'users' }.rows") >= 1);
        assertEquals(1, Database.queryLong(
                "SELECT count(*) FROM users WHERE id = ? AND purged_at IS NOT NULL AND email LIKE 'purged-%'", user));
        assertEquals(1, Database.queryLong("SELECT count(*) FROM credit_ledger WHERE user_id = ?", user),
                "the ledger of a purged user stays");
    }

    @Test
    void aRetentionRunWhileAnotherReplicaHoldsTheLockIsSkippedAndCounted() throws Exception {
        double skipped = Metrics.sum("genledger_retention_runs_total", "outcome=\"skipped\"");
        int before = CountingRetentionStep.RUNS.get();
        try (Connection otherReplica = Database.connect()) {
            // Held by an open transaction, as another replica's run holds it (and so that, behind
            // PgBouncer, the lock's server connection stays with this client).
            otherReplica.setAutoCommit(false);
            try (PreparedStatement ps = otherReplica.prepareStatement("SELECT pg_advisory_xact_lock(?)")) {
                ps.setLong(1, Retention.LOCK_KEY);
                ps.executeQuery().close();
            }
            asAdmin().post("/v1/admin/maintenance/retention").then().statusCode(200).body("ran", equalTo(false));
            assertEquals(before, CountingRetentionStep.RUNS.get());
            otherReplica.rollback();
        }
        asAdmin().post("/v1/admin/maintenance/retention").then().statusCode(200).body("ran", equalTo(true));
        assertEquals(before + 1, CountingRetentionStep.RUNS.get());
        assertEquals(skipped + 1, Metrics.sum("genledger_retention_runs_total", "outcome=\"skipped\""));
    }

    static Set<Integer> backends(String state) throws Exception {
        Set<Integer> pids = new HashSet<>();
        try (Connection c = Database.connect(); PreparedStatement ps = c.prepareStatement(
                "SELECT pid FROM pg_stat_activity WHERE application_name = 'genledger'"
                        + (state == null ? "" : " AND state = ?"))) {
            if (state != null) {
                ps.setString(1, state);
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    pids.add(rs.getInt(1));
                }
            }
        }
        return pids;
    }

    static <T> CompletableFuture<T> inBackground(java.util.function.Supplier<T> call) {
        // A thread of our own inherits the test's class loader, which REST Assured needs.
        CompletableFuture<T> result = new CompletableFuture<>();
        Thread.ofPlatform().start(() -> {
            try {
                result.complete(call.get());
            } catch (RuntimeException e) {
                result.completeExceptionally(e);
            }
        });
        return result;
    }

    static void waitFor(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not reached within 10 s");
            }
            Thread.sleep(20);
        }
    }
}
