package dev.genledger.credit;

import static dev.genledger.support.Api.asAdmin;
import static dev.genledger.support.Api.asService;
import static dev.genledger.support.Api.balance;
import static dev.genledger.support.Api.newUser;
import static dev.genledger.support.CreditLots.draws;
import static dev.genledger.support.CreditLots.grantBody;
import static dev.genledger.support.CreditLots.lot;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.genledger.support.Concurrently;
import dev.genledger.support.Database;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;

@QuarkusTest
class CreditLotsTests {

    private static final OffsetDateTime TOMORROW = OffsetDateTime.now(ZoneOffset.UTC).plusDays(1)
            .truncatedTo(ChronoUnit.SECONDS);
    private static final OffsetDateTime IN_TWO_DAYS = TOMORROW.plusDays(1);

    @Inject
    LotExpiry expiry;

    @AfterEach
    void reconciliationStaysClean() {
        asAdmin().get("/v1/admin/reconciliation").then().statusCode(200).body("mismatches", hasSize(0));
    }

    // --- helpers ---------------------------------------------------------------------------

    private static long spend(UUID user, long amount) {
        return asService().body(Map.of("amount", amount, "reason", "quiz"))
                .post("/v1/users/{id}/credits/spend", user).then().statusCode(201).extract().jsonPath().getLong("id");
    }

    private static long refund(UUID user, long amount) {
        return asService().body(Map.of("amount", amount, "reason", "failed quiz"))
                .post("/v1/users/{id}/credits/refund", user).then().statusCode(201).extract().jsonPath().getLong("id");
    }

    private static long remaining(long lot) {
        return Database.queryLong("SELECT remaining FROM credit_lots WHERE id = ?", lot);
    }

    /** Puts a lot past its expiry, as time would (the API only accepts expiries in the future). */
    private static void expireNow(long lot) {
        Database.execute("UPDATE credit_lots SET expires_at = now() - interval '1 second' WHERE id = ?", lot);
    }

    private static long expireRows(UUID user) {
        return Database.queryLong("SELECT count(*) FROM credit_ledger WHERE user_id = ? AND kind = 'EXPIRE'", user);
    }

    // --- grants ----------------------------------------------------------------------------

    @Test
    void aGrantCreatesALotWithItsTermsAndTheBalanceShowsIt() {
        UUID user = newUser();
        asService().body(grantBody(40, "promotional", TOMORROW, 10)).post("/v1/users/{id}/credits/grant", user).then()
                .statusCode(201).body("kind", equalTo("GRANT")).body("amount", equalTo(40))
                .body("lot.category", equalTo("promotional")).body("lot.amount", equalTo(40))
                .body("lot.remaining", equalTo(40)).body("lot.priority", equalTo(10))
                .body("lot.status", equalTo("active")).body("lot.reference", equalTo("grant-40"))
                .body("lot.expiresAt", equalTo(TOMORROW.toInstant().toString()));
        asService().body(Map.of("amount", 5, "reason", "plain")).post("/v1/users/{id}/credits/grant", user).then()
                .statusCode(201).body("lot.category", equalTo("paid")).body("lot.priority", equalTo(50))
                .body("lot.expiresAt", nullValue());
        asService().get("/v1/users/{id}/balance", user).then().statusCode(200)
                .body("total", equalTo(45)).body("balance", equalTo(45)).body("held", equalTo(0))
                .body("available", equalTo(45)).body("lots", hasSize(2))
                .body("lots[0].category", equalTo("promotional")).body("lots[1].category", equalTo("paid"));
    }

    @Test
    void aReplayedGrantAnswersItsLotAndCreatesNoOther() {
        UUID user = newUser();
        String key = UUID.randomUUID().toString();
        long first = asService().header("Idempotency-Key", key).body(grantBody(20, "promotional", TOMORROW, null))
                .post("/v1/users/{id}/credits/grant", user).then().statusCode(201).extract().jsonPath().getLong("lot.id");
        asService().header("Idempotency-Key", key).body(grantBody(20, "promotional", TOMORROW, null))
                .post("/v1/users/{id}/credits/grant", user).then().statusCode(201)
                .header("Idempotent-Replayed", "true").body("lot.id", equalTo((int) first));
        asService().header("Idempotency-Key", key).body(grantBody(20, "paid", TOMORROW, null))
                .post("/v1/users/{id}/credits/grant", user).then().statusCode(422);
        assertEquals(1, Database.queryLong("SELECT count(*) FROM credit_lots WHERE user_id = ?", user));
    }

    @Test
    void aReplayedGrantAnswersItsLotAsItWasCreatedThoughSpendsMovedIt() {
        UUID user = newUser();
        String key = UUID.randomUUID().toString();
        String first = asService().header("Idempotency-Key", key).body(grantBody(20, "promotional", TOMORROW, null))
                .post("/v1/users/{id}/credits/grant", user).then().statusCode(201).extract().asString();
        spend(user, 5);
        job(user, 3);
        String replayed = asService().header("Idempotency-Key", key).body(grantBody(20, "promotional", TOMORROW, null))
                .post("/v1/users/{id}/credits/grant", user).then().statusCode(201)
                .header("Idempotent-Replayed", "true").extract().asString();
        assertEquals(io.restassured.path.json.JsonPath.from(first).getMap(""),
                io.restassured.path.json.JsonPath.from(replayed).getMap(""));
    }

    @Test
    void aGrantRetriedAfterItsLotExpiredGetsItsFirstAnswerAndANewOneIsRefused() throws InterruptedException {
        // The client's retry of a grant whose answer it lost can come after the expiry it asked for.
        UUID user = newUser();
        String key = UUID.randomUUID().toString();
        OffsetDateTime soon = OffsetDateTime.now(ZoneOffset.UTC).plusSeconds(2);
        long first = asService().header("Idempotency-Key", key).body(grantBody(20, "promotional", soon, null))
                .post("/v1/users/{id}/credits/grant", user).then().statusCode(201).extract().jsonPath().getLong("lot.id");
        while (!OffsetDateTime.now(ZoneOffset.UTC).isAfter(soon)) {
            Thread.sleep(100);
        }
        asService().header("Idempotency-Key", key).body(grantBody(20, "promotional", soon, null))
                .post("/v1/users/{id}/credits/grant", user).then().statusCode(201)
                .header("Idempotent-Replayed", "true").body("lot.id", equalTo((int) first));
        asService().header("Idempotency-Key", UUID.randomUUID().toString()).body(grantBody(20, "promotional", soon, null))
                .post("/v1/users/{id}/credits/grant", user).then().statusCode(400)
                .contentType("application/problem+json").body("errors[0].field", equalTo("expiresAt"));
        assertEquals(1, Database.queryLong("SELECT count(*) FROM credit_lots WHERE user_id = ?", user));
        // Swept here, so that no other test's sweep finds it.
        expiry.run();
        assertEquals(1, expireRows(user));
    }

    @Test
    void grantTermsAreValidated() {
        UUID user = newUser();
        List<Map<String, Object>> bad = List.of(
                grantBody(10, "gold", null, null),
                grantBody(10, null, OffsetDateTime.now(ZoneOffset.UTC).minusMinutes(1), null),
                grantBody(10, null, null, 101),
                grantBody(10, null, null, -1));
        for (Map<String, Object> body : bad) {
            asService().body(body).post("/v1/users/{id}/credits/grant", user).then().statusCode(400)
                    .contentType("application/problem+json");
        }
        Map<String, Object> notADate = grantBody(10, null, null, null);
        notADate.put("expiresAt", "next tuesday");
        asService().body(notADate).post("/v1/users/{id}/credits/grant", user).then().statusCode(400)
                .contentType("application/problem+json");
        assertEquals(0, balance(user));
        assertEquals(0, Database.queryLong("SELECT count(*) FROM credit_lots WHERE user_id = ?", user));
    }

    // --- draw order ------------------------------------------------------------------------

    @Test
    void spendsDrawSoonestExpiryThenPromotionalThenLowerPriorityThenOldest() {
        UUID user = newUser();
        long never = lot(user, 10, "paid", null, 0);
        long paidLate = lot(user, 10, "paid", IN_TWO_DAYS, 50);
        long promoLate = lot(user, 10, "promotional", IN_TWO_DAYS, 90);
        long promoSoon = lot(user, 10, "promotional", TOMORROW, 90);
        long paidLatePriority = lot(user, 10, "paid", IN_TWO_DAYS, 10);
        long paidLateTwin = lot(user, 10, "paid", IN_TWO_DAYS, 50);
        List<Long> expected = List.of(promoSoon, promoLate, paidLatePriority, paidLate, paidLateTwin, never);
        asService().get("/v1/users/{id}/balance", user).then().statusCode(200)
                .body("lots.id", equalTo(expected.stream().map(Long::intValue).toList()));
        for (long lot : expected) {
            long spent = spend(user, 10);
            assertEquals(Map.of(lot, -10L), draws(spent), "the spend drew lot " + lot);
        }
        assertEquals(0, balance(user));
    }

    @Test
    void aSpendLargerThanOneLotDrawsFromSeveral() {
        UUID user = newUser();
        long promo = lot(user, 10, "promotional", TOMORROW, null);
        long paid = lot(user, 20, "paid", null, null);
        long spent = spend(user, 25);
        assertEquals(Map.of(promo, -10L, paid, -15L), draws(spent));
        assertEquals(0, remaining(promo));
        assertEquals(5, remaining(paid));
        asService().body(Map.of("amount", 6, "reason", "too much")).post("/v1/users/{id}/credits/spend", user).then()
                .statusCode(402).body("available", equalTo(5));
        assertEquals(Map.of(), draws(spent + 1));
    }

    // --- refunds ---------------------------------------------------------------------------

    @Test
    void aRefundReturnsCreditsToTheLotsTheLatestSpendDrew() {
        UUID user = newUser();
        long promo = lot(user, 10, "promotional", TOMORROW, null);
        long paid = lot(user, 10, "paid", null, null);
        spend(user, 15);
        long refunded = refund(user, 7);
        // newest spend first, and within it the lot drawn last first: 5 back to paid, 2 to promo
        assertEquals(Map.of(paid, 5L, promo, 2L), draws(refunded));
        assertEquals(10, remaining(paid));
        assertEquals(2, remaining(promo));
        assertEquals(12, balance(user));
    }

    @Test
    void aRefundOfAnExpiredLotsCreditsComesBackAsANewPaidLotThatNeverExpires() {
        UUID user = newUser();
        long promo = lot(user, 10, "promotional", TOMORROW, null);
        spend(user, 6);
        expireNow(promo);
        long refunded = refund(user, 6);
        assertEquals(Map.of(), draws(refunded), "an expired lot is never refilled");
        assertEquals(4, remaining(promo));
        assertEquals(6, Database.queryLong(
                "SELECT amount FROM credit_lots WHERE ledger_id = ? AND category = 'paid' AND expires_at IS NULL", refunded));
        assertEquals(1, expiry.run());
        assertEquals(6, balance(user), "the sweep took the expired lot's 4, the refund stays");
    }

    @Test
    void aRefundBeyondWhatWasDrawnBecomesALotOfItsOwn() {
        UUID user = newUser();
        long paid = lot(user, 10, "paid", null, null);
        spend(user, 3);
        long refunded = refund(user, 5);
        assertEquals(Map.of(paid, 3L), draws(refunded));
        assertEquals(2, Database.queryLong("SELECT amount FROM credit_lots WHERE ledger_id = ?", refunded));
    }

    @Test
    void aRefundThatBecomesALotIsReplayedWithTheBodyItFirstAnswered() {
        UUID user = newUser();
        lot(user, 10, "paid", null, null);
        spend(user, 3);
        String key = "refund-" + UUID.randomUUID();
        Map<String, Object> body = Map.of("amount", 5, "reason", "failed quiz");
        Map<String, Object> first = asService().header("Idempotency-Key", key).body(body)
                .post("/v1/users/{id}/credits/refund", user).then().statusCode(201).extract().jsonPath().getMap("$");
        Map<String, Object> again = asService().header("Idempotency-Key", key).body(body)
                .post("/v1/users/{id}/credits/refund", user).then().statusCode(201)
                .header("Idempotent-Replayed", "true").extract().jsonPath().getMap("$");
        assertEquals(first, again);
    }

    // --- transfers -------------------------------------------------------------------------

    @Test
    void aTransferDrawsTheSendersLotsAndTheReceiverGetsALotThatLastsNoLonger() {
        UUID from = newUser();
        UUID to = newUser();
        long promo = lot(from, 10, "promotional", TOMORROW, null);
        long paid = lot(from, 10, "paid", null, null);
        asService().body(Map.of("fromUserId", from, "toUserId", to, "amount", 15, "reason", "gift"))
                .post("/v1/transfers").then().statusCode(201);
        long out = Database.queryLong("SELECT id FROM credit_ledger WHERE user_id = ? AND kind = 'TRANSFER_OUT'", from);
        assertEquals(Map.of(promo, -10L, paid, -5L), draws(out));
        asService().get("/v1/users/{id}/balance", to).then().statusCode(200).body("lots", hasSize(1))
                .body("lots[0].amount", equalTo(15)).body("lots[0].category", equalTo("promotional"))
                .body("lots[0].expiresAt", equalTo(TOMORROW.toInstant().toString()));
    }

    // --- holds and expiry ------------------------------------------------------------------

    private static String job(UUID user, long cost) {
        return asService().body(Map.of("jobKey", "k-" + UUID.randomUUID(), "kind", "quiz", "cost", cost))
                .post("/v1/users/{id}/jobs", user).then().statusCode(201).extract().path("id");
    }

    @Test
    void aHoldKeepsItsLotsAndCaptureDrawsThem() {
        UUID user = newUser();
        long promo = lot(user, 10, "promotional", TOMORROW, null);
        long paid = lot(user, 10, "paid", null, null);
        String job = job(user, 14);
        assertEquals(10, Database.queryLong("SELECT held FROM credit_lots WHERE id = ?", promo));
        assertEquals(4, Database.queryLong("SELECT held FROM credit_lots WHERE id = ?", paid));
        asService().get("/v1/users/{id}/balance", user).then().body("available", equalTo(6)).body("held", equalTo(14));
        asService().post("/v1/jobs/{id}/start", job).then().statusCode(200);
        asService().body(Map.of("resultRef", "quiz:1")).post("/v1/jobs/{id}/succeed", job).then().statusCode(200);
        long capture = Database.queryLong("SELECT id FROM credit_ledger WHERE user_id = ? AND kind = 'CAPTURE'", user);
        assertEquals(Map.of(promo, -10L, paid, -4L), draws(capture));
        assertEquals(0, Database.queryLong("SELECT sum(held) FROM credit_lots WHERE user_id = ?", user));
        assertEquals(6, remaining(paid));
    }

    @Test
    void aReleaseGivesTheHoldsCreditsBackToItsLots() {
        UUID user = newUser();
        long promo = lot(user, 10, "promotional", TOMORROW, null);
        String job = job(user, 7);
        asService().post("/v1/jobs/{id}/cancel", job).then().statusCode(200);
        assertEquals(0, Database.queryLong("SELECT held FROM credit_lots WHERE id = ?", promo));
        assertEquals(10, remaining(promo));
    }

    @Test
    void expiryTakesWhatIsLeftOfALotAsOneExpireRowOnce() {
        UUID user = newUser();
        long promo = lot(user, 10, "promotional", TOMORROW, null);
        long paid = lot(user, 10, "paid", null, null);
        spend(user, 3);
        expireNow(promo);
        asService().get("/v1/users/{id}/balance", user).then().body("available", equalTo(10)).body("total", equalTo(17));
        asService().body(Map.of("amount", 11, "reason", "too much")).post("/v1/users/{id}/credits/spend", user).then()
                .statusCode(402).body("available", equalTo(10));
        assertEquals(1, expiry.run());
        assertEquals(0, expiry.run());
        assertEquals(1, expireRows(user));
        long expired = Database.queryLong("SELECT id FROM credit_ledger WHERE user_id = ? AND kind = 'EXPIRE'", user);
        assertEquals(-7, Database.queryLong("SELECT amount FROM credit_ledger WHERE id = ?", expired));
        assertEquals(Map.of(promo, -7L), draws(expired));
        assertEquals(expired, Database.queryLong("SELECT expiry_ledger_id FROM credit_lots WHERE id = ?", promo));
        assertEquals(10, balance(user));
        assertEquals(10, remaining(paid));
        assertEquals(1, Database.queryLong(
                "SELECT count(*) FROM events WHERE user_id = ? AND type = 'credits.expired'", user));
        asService().get("/v1/users/{id}/credits/lots", user).then().statusCode(200)
                .body("items[1].status", equalTo("expired")).body("items[1].remaining", equalTo(0));
    }

    @Test
    void creditsHeldForAJobAreNeverExpiredAndTheRestWaitsForTheHold() {
        UUID user = newUser();
        long promo = lot(user, 10, "promotional", TOMORROW, null);
        String job = job(user, 4);
        asService().post("/v1/jobs/{id}/start", job).then().statusCode(200);
        expireNow(promo);
        assertEquals(0, expiry.run());
        assertEquals(0, expireRows(user));
        assertEquals(10, remaining(promo));
        asService().body(Map.of("resultRef", "quiz:1")).post("/v1/jobs/{id}/succeed", job).then().statusCode(200);
        assertEquals(6, remaining(promo), "the capture spent the held credits of the expired lot");
        assertEquals(1, expiry.run());
        assertEquals(0, balance(user));
        assertEquals(-6, Database.queryLong("SELECT amount FROM credit_ledger WHERE user_id = ? AND kind = 'EXPIRE'", user));
    }

    @Test
    void twoSweepsRacingExpireEachLotExactlyOnce() throws Exception {
        List<UUID> users = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            UUID user = newUser();
            expireNow(lot(user, 5, "promotional", TOMORROW, null));
            expireNow(lot(user, 3, "paid", TOMORROW, null));
            users.add(user);
        }
        List<Integer> runs = Concurrently.run(8, n -> {
            int total = 0;
            for (int i = 0; i < 5; i++) {
                total += Math.max(0, expiry.run());
            }
            return total;
        });
        assertEquals(12, runs.stream().mapToInt(Integer::intValue).sum());
        for (UUID user : users) {
            assertEquals(2, expireRows(user));
            assertEquals(0, balance(user));
        }
    }

    @Test
    void aSweepKilledMidwayLeavesNothingAndTheNextOneExpiresEachLotOnce() throws Exception {
        UUID first = newUser();
        UUID second = newUser();
        long a = lot(first, 5, "promotional", TOMORROW, null);
        long b = lot(second, 5, "promotional", TOMORROW, null);
        expireNow(a);
        expireNow(b);
        // The sweep expires the lots in id order: it expires a, then waits for b's row lock.
        Response killed;
        try (Connection blocker = Database.connect()) {
            blocker.setAutoCommit(false);
            try (PreparedStatement ps = blocker.prepareStatement("SELECT 1 FROM credit_lots WHERE id = ? FOR UPDATE")) {
                ps.setLong(1, b);
                ps.executeQuery().close();
            }
            var sweep = dev.genledger.support.Api.inBackground(() -> {
                try {
                    expiry.run();
                    return null;
                } catch (RuntimeException e) {
                    return null;
                }
            });
            int pid = dev.genledger.support.RowLock.waitingBackend();
            assertEquals(1, Database.queryLong("SELECT count(*) FROM pg_locks WHERE pid = ? AND NOT granted", pid));
            dev.genledger.support.RowLock.terminate(pid);
            killed = sweep.get(30, java.util.concurrent.TimeUnit.SECONDS);
            blocker.rollback();
        }
        assertEquals(null, killed);
        assertEquals(0, expireRows(first), "the killed sweep's first expiry was rolled back with it");
        assertEquals(5, remaining(a));
        assertEquals(2, expiry.run());
        assertEquals(0, expiry.run());
        assertEquals(1, expireRows(first));
        assertEquals(1, expireRows(second));
    }

    @Test
    void aSecondExpiryOfALotCannotCommitEvenPastTheLocks() {
        UUID user = newUser();
        long promo = lot(user, 5, "promotional", TOMORROW, null);
        expireNow(promo);
        assertEquals(1, expiry.run());
        // as a second sweep that read the lot before the first committed would write it
        int inserted = Database.execute("""
                INSERT INTO credit_ledger (user_id, amount, balance_after, kind, reason, idempotency_key, actor)
                SELECT ?, -5, 0, 'EXPIRE', 'credits expired', 'lot-expiry:' || ?, 'test'
                ON CONFLICT (user_id, idempotency_key) DO NOTHING
                """, user, promo);
        assertEquals(0, inserted);
    }

    // --- reconciliation and concurrency ----------------------------------------------------

    @Test
    void reconciliationCatchesADrawThatDoesNotMatchItsLedgerRow() throws Exception {
        UUID user = newUser();
        long paid = lot(user, 10, "paid", null, null);
        long spent = spend(user, 4);
        try (Connection c = Database.connect()) {
            try (var s = c.createStatement()) {
                s.execute("SET session_replication_role = replica");
            }
            try (PreparedStatement ps = c.prepareStatement(
                    "UPDATE credit_lot_draws SET amount = amount - 1 WHERE ledger_id = ? AND lot_id = ?")) {
                ps.setLong(1, spent);
                ps.setLong(2, paid);
                assertEquals(1, ps.executeUpdate());
            }
            try {
                asAdmin().get("/v1/admin/reconciliation").then().statusCode(200)
                        .body("mismatches.findAll { it.userId == '" + user + "' }.problem", equalTo(List.of(
                                "a lot's remaining credits differ from its amount plus its draws",
                                "a ledger row's amount differs from its draws and the lots it created")));
            } finally {
                try (PreparedStatement ps = c.prepareStatement(
                        "UPDATE credit_lot_draws SET amount = amount + 1 WHERE ledger_id = ? AND lot_id = ?")) {
                    ps.setLong(1, spent);
                    ps.setLong(2, paid);
                    ps.executeUpdate();
                }
            }
        }
    }

    @Test
    void reconciliationCatchesLotsThatDoNotSumToTheBalance() {
        UUID user = newUser();
        long paid = lot(user, 10, "paid", null, null);
        Database.execute("UPDATE credit_lots SET remaining = 9 WHERE id = ?", paid);
        try {
            asAdmin().get("/v1/admin/reconciliation").then().statusCode(200)
                    .body("mismatches.findAll { it.userId == '" + user + "' }.problem", equalTo(List.of(
                            "balance differs from the sum of its lots",
                            "a lot's remaining credits differ from its amount plus its draws")));
        } finally {
            Database.execute("UPDATE credit_lots SET remaining = 10 WHERE id = ?", paid);
        }
    }

    @Test
    void manyThreadsSpendingOneUserWithSeveralLotsNeverOverdrawAndDrawsMatchTheLedger() throws Exception {
        UUID user = newUser();
        lot(user, 20, "promotional", TOMORROW, 10);
        lot(user, 20, "promotional", TOMORROW, 90);
        lot(user, 20, "paid", IN_TWO_DAYS, null);
        lot(user, 20, "paid", null, null);
        lot(user, 20, "paid", null, null);
        List<Integer> statuses = Concurrently.run(24, n -> {
            int ok = 0;
            for (int i = 0; i < 6; i++) {
                int status = asService().header("Idempotency-Key", UUID.randomUUID().toString())
                        .body(Map.of("amount", 1 + (n + i) % 3, "reason", "race"))
                        .post("/v1/users/{id}/credits/spend", user).statusCode();
                assertTrue(status == 201 || status == 402, "status " + status);
                ok += status == 201 ? 1 : 0;
            }
            return ok;
        });
        assertTrue(statuses.stream().mapToInt(Integer::intValue).sum() > 0);
        long spent = -Database.queryLong("SELECT COALESCE(sum(amount), 0) FROM credit_ledger WHERE user_id = ? "
                + "AND kind = 'SPEND'", user);
        assertEquals(100 - spent, balance(user));
        assertTrue(balance(user) >= 0);
        assertEquals(-spent, Database.queryLong("SELECT COALESCE(sum(d.amount), 0) FROM credit_lot_draws d "
                + "JOIN credit_ledger g ON g.id = d.ledger_id WHERE g.user_id = ?", user));
        assertEquals(0, Database.queryLong("SELECT count(*) FROM credit_lots WHERE user_id = ? AND remaining < 0", user));
        assertEquals(balance(user), Database.queryLong("SELECT sum(remaining) FROM credit_lots WHERE user_id = ?", user));
    }
}
