package dev.genledger.job;

import static dev.genledger.support.Api.asAdmin;
import static dev.genledger.support.Api.asService;
import static dev.genledger.support.Api.balance;
import static dev.genledger.support.Api.newUser;
import static dev.genledger.support.Api.newUserWith;
import static dev.genledger.support.CreditLots.draws;
import static dev.genledger.support.CreditLots.lot;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.genledger.support.Database;
import io.quarkus.test.junit.QuarkusTest;

/** A success that charges less than its job held: one CAPTURE row of what it charged, the rest released with it. */
@QuarkusTest
class PartialCaptureTests {

    @AfterEach
    void reconciliationStaysClean() {
        asAdmin().get("/v1/admin/reconciliation").then().statusCode(200).body("mismatches", hasSize(0));
    }

    private static String running(UUID user, long cost) {
        String id = asService().body(Map.of("jobKey", "k-" + UUID.randomUUID(), "kind", "quiz", "cost", cost))
                .post("/v1/users/{id}/jobs", user).then().statusCode(201).extract().path("id");
        asService().post("/v1/jobs/{id}/start", id).then().statusCode(200);
        return id;
    }

    private static long captureRows(UUID user) {
        return Database.queryLong("SELECT count(*) FROM credit_ledger WHERE user_id = ? AND kind = 'CAPTURE'", user);
    }

    @Test
    void aSuccessWithAnActualCostCapturesThatFromTheHoldsLotsInDrawOrderAndReleasesTheRest() {
        UUID user = newUser();
        long promo = lot(user, 10, "promotional", OffsetDateTime.now(ZoneOffset.UTC).plusDays(1).truncatedTo(ChronoUnit.SECONDS));
        long paid = lot(user, 10, "paid", null);
        String id = running(user, 14);
        asService().body(Map.of("resultRef", "quiz:7", "actualCost", 12)).post("/v1/jobs/{id}/succeed", id).then()
                .statusCode(200).body("status", equalTo("SUCCEEDED")).body("cost", equalTo(14))
                .body("actualCost", equalTo(12));
        assertEquals(8, balance(user));
        assertEquals(0, Database.queryLong("SELECT held FROM users WHERE id = ?", user));
        assertEquals(1, captureRows(user));
        long capture = Database.queryLong("SELECT id FROM credit_ledger WHERE user_id = ? AND kind = 'CAPTURE' "
                + "AND amount = -12 AND reference = ?", user, "job:" + id);
        assertEquals(Map.of(promo, -10L, paid, -2L), draws(capture));
        assertEquals(0, Database.queryLong("SELECT remaining FROM credit_lots WHERE id = ?", promo));
        assertEquals(8, Database.queryLong("SELECT remaining FROM credit_lots WHERE id = ?", paid));
        assertEquals(0, Database.queryLong("SELECT sum(held) FROM credit_lots WHERE user_id = ?", user));
        assertEquals(12, Database.queryLong("SELECT captured FROM credit_holds WHERE job_id = ?::uuid AND status = 'CAPTURED' "
                + "AND ledger_id = ?", id, capture));
        // settled by the database's clock, in the transaction that wrote the capture
        assertEquals(1, Database.queryLong("SELECT count(*) FROM credit_holds h JOIN credit_ledger l ON l.id = h.ledger_id "
                + "WHERE h.job_id = ?::uuid AND h.settled_at = l.created_at", id));
        asService().get("/v1/users/{id}/balance", user).then().body("available", equalTo(8)).body("held", equalTo(0));
    }

    @Test
    void aSuccessThatChargesNothingReleasesTheWholeHoldAndWritesNoLedgerRow() {
        UUID user = newUserWith(50);
        String id = running(user, 20);
        asService().body(Map.of("resultRef", "quiz:0", "actualCost", 0)).post("/v1/jobs/{id}/succeed", id).then()
                .statusCode(200).body("actualCost", equalTo(0));
        assertEquals(50, balance(user));
        assertEquals(0, captureRows(user));
        assertEquals(0, Database.queryLong("SELECT held FROM users WHERE id = ?", user));
        assertEquals(1, Database.queryLong("SELECT count(*) FROM credit_holds WHERE job_id = ?::uuid AND status = 'RELEASED'", id));
    }

    @Test
    void aSuccessWithoutAnActualCostChargesTheWholeCost() {
        UUID user = newUserWith(50);
        String id = running(user, 20);
        asService().body(Map.of("resultRef", "quiz:1")).post("/v1/jobs/{id}/succeed", id).then().statusCode(200)
                .body("actualCost", equalTo(20));
        assertEquals(30, balance(user));
        asService().get("/v1/jobs/{id}", running(user, 5)).then().body("actualCost", nullValue());
    }

    @Test
    void anActualCostAboveTheCostOrNegativeIs400AndChangesNothing() {
        UUID user = newUserWith(50);
        String id = running(user, 20);
        asService().body(Map.of("actualCost", 21)).post("/v1/jobs/{id}/succeed", id).then().statusCode(400)
                .contentType("application/problem+json").body("errors[0].field", equalTo("actualCost"));
        asService().body(Map.of("actualCost", -1)).post("/v1/jobs/{id}/succeed", id).then().statusCode(400)
                .contentType("application/problem+json");
        asService().body(Map.of("actualCost", "ten")).post("/v1/jobs/{id}/succeed", id).then().statusCode(400);
        asService().get("/v1/jobs/{id}", id).then().body("status", equalTo("RUNNING"));
        assertEquals(20, Database.queryLong("SELECT held FROM users WHERE id = ?", user));
        assertEquals(0, captureRows(user));
    }

    @Test
    void replayingASuccessAnswersTheSameAndAnotherActualCostIs409() {
        UUID user = newUserWith(50);
        String id = running(user, 20);
        Map<String, Object> body = Map.of("resultRef", "quiz:2", "actualCost", 15);
        asService().body(body).post("/v1/jobs/{id}/succeed", id).then().statusCode(200);
        asService().body(body).post("/v1/jobs/{id}/succeed", id).then().statusCode(200)
                .header("Idempotent-Replayed", "true").body("actualCost", equalTo(15));
        asService().body(Map.of("resultRef", "quiz:2", "actualCost", 14)).post("/v1/jobs/{id}/succeed", id).then()
                .statusCode(409).contentType("application/problem+json");
        asService().body(Map.of("resultRef", "quiz:2")).post("/v1/jobs/{id}/succeed", id).then().statusCode(409);
        assertEquals(35, balance(user));
        assertEquals(1, captureRows(user));

        String full = running(user, 10);
        asService().body(Map.of("resultRef", "quiz:3")).post("/v1/jobs/{id}/succeed", full).then().statusCode(200);
        asService().body(Map.of("resultRef", "quiz:3", "actualCost", 10)).post("/v1/jobs/{id}/succeed", full).then()
                .statusCode(200).header("Idempotent-Replayed", "true");
        assertEquals(25, balance(user));
    }
}
