package dev.genledger.credit;

import static org.hamcrest.Matchers.hasSize;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
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
 * The lot expiry sweep on two replicas of the packaged application, every second on each and a
 * few users per run, over many expired lots: each lot leaves the balance as exactly one EXPIRE
 * row, and a replica SIGKILLed in the middle of a run leaves nothing half done (the survivor
 * expires what the killed run had taken). Runs after packaging: {@code ./mvnw verify -Pops-it}.
 */
class LotExpiryOnceIT {

    private static final int USERS = 30;
    private static final int LOTS_PER_USER = 4;
    private static final long KEPT = 10;

    private static ReplicaDatabase db;

    @BeforeAll
    static void database() throws Exception {
        db = ReplicaDatabase.start();
    }

    @AfterAll
    static void stopDatabase() throws Exception {
        db.close();
    }

    private static RequestSpecification api(PackagedApp app, String token) {
        return RestAssured.given().port(app.http).auth().oauth2(token).contentType(ContentType.JSON);
    }

    @Test
    void eachExpiredLotLeavesOnceAcrossReplicasAndAReplicaKilledMidRunLeavesNothingHalfDone() throws Exception {
        Map<String, PackagedApp> replicas = new HashMap<>();
        try {
            for (String name : List.of("a", "b")) {
                Map<String, String> env = PackagedApp.prodEnvironment(db.urlFor(name));
                env.put("GENLEDGER_CREDITS_EXPIRY_EVERY", "1s");
                env.put("GENLEDGER_CREDITS_EXPIRY_DELAY", "1s");
                env.put("GENLEDGER_CREDITS_EXPIRY_BATCH", "4");
                PackagedApp app = PackagedApp.start(PackagedApp.JAR, "lot-expiry-once-" + name, env);
                replicas.put("genledger-" + name, app);
                app.awaitReady(90_000); // one after the other: the first migrates
            }
            PackagedApp any = replicas.get("genledger-a");
            String tomorrow = OffsetDateTime.now(ZoneOffset.UTC).plusDays(1).toString();
            List<String> users = new ArrayList<>();
            for (int i = 0; i < USERS; i++) {
                String id = api(any, Tokens.service()).body(Map.of("email", "expiry-" + UUID.randomUUID() + "@example.com"))
                        .post("/v1/users").then().statusCode(201).extract().path("id");
                for (int l = 0; l < LOTS_PER_USER; l++) {
                    api(any, Tokens.service()).body(Map.of("amount", 5 + l, "reason", "expiring", "category",
                            l % 2 == 0 ? "promotional" : "paid", "expiresAt", tomorrow))
                            .post("/v1/users/{id}/credits/grant", id).then().statusCode(201);
                }
                api(any, Tokens.service()).body(Map.of("amount", KEPT, "reason", "kept"))
                        .post("/v1/users/{id}/credits/grant", id).then().statusCode(201);
                users.add(id);
            }
            long expiring = USERS * LOTS_PER_USER;

            String killed;
            try (Connection blocker = db.connect()) {
                // The user of the last expiring lot, locked: the run that takes that user expires the
                // lots before its first one (in id order), then waits for this row, holding the
                // sweep's lock with its work not yet committed.
                blocker.setAutoCommit(false);
                String lastUser;
                try (Statement st = blocker.createStatement(); ResultSet rs = st.executeQuery(
                        "SELECT user_id FROM credit_lots WHERE expires_at IS NOT NULL ORDER BY id DESC LIMIT 1")) {
                    rs.next();
                    lastUser = rs.getString(1);
                }
                try (PreparedStatement ps = blocker.prepareStatement("SELECT 1 FROM users WHERE id = ?::uuid FOR UPDATE")) {
                    ps.setString(1, lastUser);
                    ps.executeQuery().close();
                }
                // Every expiring lot past its expiry at once, as time would.
                try (Connection c = db.connect(); Statement st = c.createStatement()) {
                    st.executeUpdate("UPDATE credit_lots SET expires_at = now() - interval '1 second' WHERE expires_at IS NOT NULL");
                }
                killed = db.killSweeperMidRun(replicas, LotExpiry.SWEEP_LOCK, Duration.ofSeconds(90)); // SIGKILL, mid-run
                assertEquals(0, db.count("SELECT count(*) FROM credit_ledger WHERE kind = 'EXPIRE' AND user_id = '"
                        + lastUser + "'"), "nothing of the locked user's lots expired while its run was stuck");
                blocker.rollback();
            }
            replicas.remove(killed);
            PackagedApp survivor = replicas.values().iterator().next();

            long deadline = System.nanoTime() + 90_000_000_000L;
            while (db.count("SELECT count(*) FROM credit_lots WHERE expires_at IS NOT NULL AND expiry_ledger_id IS NULL") > 0) {
                assertTrue(System.nanoTime() < deadline, "the surviving replica did not expire every lot");
                Thread.sleep(200);
            }
            Thread.sleep(3_000); // more runs: they find nothing left to do
            assertEquals(expiring, db.count("SELECT count(*) FROM credit_ledger WHERE kind = 'EXPIRE'"), "one EXPIRE row per lot");
            assertEquals(expiring, db.count("SELECT count(DISTINCT reference) FROM credit_ledger WHERE kind = 'EXPIRE'"));
            assertEquals(expiring, db.count("""
                    SELECT count(*) FROM credit_lots l JOIN credit_ledger g ON g.id = l.expiry_ledger_id
                    JOIN credit_lot_draws d ON d.ledger_id = g.id AND d.lot_id = l.id
                    WHERE g.kind = 'EXPIRE' AND g.reference = 'lot:' || l.id AND g.amount = -l.amount
                      AND d.amount = -l.amount AND l.remaining = 0
                    """), "each lot's one EXPIRE row took all of it, drawn from it");
            assertEquals(USERS, db.count("SELECT count(*) FROM users WHERE balance = " + KEPT), "the lots that never expire stay");
            api(survivor, Tokens.admin()).get("/v1/admin/reconciliation").then().statusCode(200)
                    .body("mismatches", hasSize(0));
        } finally {
            replicas.values().forEach(PackagedApp::close);
        }
    }
}
