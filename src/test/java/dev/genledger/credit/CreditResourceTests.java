package dev.genledger.credit;

import static dev.genledger.support.Api.asAdmin;
import static dev.genledger.support.Api.asService;
import static dev.genledger.support.Api.balance;
import static dev.genledger.support.Api.ledgerRows;
import static dev.genledger.support.Api.newUser;
import static dev.genledger.support.Api.newUserWith;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.genledger.support.Database;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;

@QuarkusTest
class CreditResourceTests {

    private static Map<String, Object> change(long amount) {
        return Map.of("amount", amount, "reason", "quiz generation", "reference", "ref-1");
    }

    @AfterEach
    void reconciliationStaysClean() {
        asAdmin().get("/v1/admin/reconciliation").then().statusCode(200).body("mismatches", hasSize(0));
    }

    @Test
    void grantSpendAndRefundMoveTheBalanceAndWriteOneLedgerRowEach() {
        UUID user = newUser();
        asService().body(change(100)).post("/v1/users/{id}/credits/grant", user).then().statusCode(201)
                .body("kind", equalTo("GRANT")).body("amount", equalTo(100)).body("balanceAfter", equalTo(100));
        asService().body(change(30)).post("/v1/users/{id}/credits/spend", user).then().statusCode(201)
                .body("kind", equalTo("SPEND")).body("amount", equalTo(-30)).body("balanceAfter", equalTo(70))
                .body("reference", equalTo("ref-1"));
        asService().body(change(5)).post("/v1/users/{id}/credits/refund", user).then().statusCode(201)
                .body("kind", equalTo("REFUND")).body("balanceAfter", equalTo(75));
        asService().get("/v1/users/{id}/balance", user).then().statusCode(200)
                .body("userId", equalTo(user.toString())).body("balance", equalTo(75));
        assertEquals(75, balance(user));
        assertEquals(3, ledgerRows(user));
        assertEquals(3, Database.queryLong(
                "SELECT count(*) FROM credit_ledger WHERE user_id = ? AND actor = 'service:chatbot-backend'", user));
    }

    @Test
    void spendBeyondBalanceIsRefusedAndChangesNothing() {
        UUID user = newUserWith(10);
        asService().body(change(11)).post("/v1/users/{id}/credits/spend", user).then().statusCode(402)
                .contentType("application/problem+json")
                .body("type", equalTo("https://genledger.dev/problems/insufficient-credits"))
                .body("available", equalTo(10)).body("requested", equalTo(11));
        assertEquals(10, balance(user));
        assertEquals(1, ledgerRows(user));
    }

    @Test
    void amountsMustBePositiveBoundedIntegersAndReasonIsRequired() {
        UUID user = newUserWith(10);
        for (Object amount : List.of(0, -5, 1_000_000_001L)) {
            asService().body(Map.of("amount", amount, "reason", "r")).post("/v1/users/{id}/credits/grant", user).then()
                    .statusCode(400).body("type", equalTo("https://genledger.dev/problems/validation"));
        }
        asService().body(Map.of("amount", 1)).post("/v1/users/{id}/credits/spend", user).then().statusCode(400);
        asService().body(Map.of("amount", 1, "reason", " ")).post("/v1/users/{id}/credits/spend", user).then()
                .statusCode(400);
        asService().body(Map.of("reason", "r")).post("/v1/users/{id}/credits/spend", user).then().statusCode(400);
        asService().body(Map.of("amount", 1, "reason", "r\u0000nul")).post("/v1/users/{id}/credits/spend", user)
                .then().statusCode(400);
        assertEquals(10, balance(user));
        assertEquals(1, ledgerRows(user));
    }

    @Test
    void creditsForAnUnknownUserAreNotFound() {
        asService().body(change(1)).post("/v1/users/{id}/credits/grant", UUID.randomUUID()).then().statusCode(404);
        asService().get("/v1/users/{id}/balance", UUID.randomUUID()).then().statusCode(404);
        asService().get("/v1/users/{id}/ledger", UUID.randomUUID()).then().statusCode(404);
    }

    @Test
    void replayWithTheSameKeyReturnsTheFirstResultAndSpendsOnce() {
        UUID user = newUserWith(10);
        String key = "spend-" + UUID.randomUUID();
        Response first = asService().header("Idempotency-Key", key).body(change(4))
                .post("/v1/users/{id}/credits/spend", user);
        first.then().statusCode(201).header("Idempotent-Replayed", nullValue());
        Response replay = asService().header("Idempotency-Key", key).body(change(4))
                .post("/v1/users/{id}/credits/spend", user);
        replay.then().statusCode(201).header("Idempotent-Replayed", "true");
        assertEquals(first.asString(), replay.asString());
        assertEquals(6, balance(user));
        assertEquals(2, ledgerRows(user));
    }

    @Test
    void replayStillAnswersTheFirstResultWhenTheBalanceIsNowTooLow() {
        UUID user = newUserWith(5);
        String key = "k-" + UUID.randomUUID();
        asService().header("Idempotency-Key", key).body(change(5)).post("/v1/users/{id}/credits/spend", user).then()
                .statusCode(201);
        asService().header("Idempotency-Key", key).body(change(5)).post("/v1/users/{id}/credits/spend", user).then()
                .statusCode(201).header("Idempotent-Replayed", "true").body("balanceAfter", equalTo(0));
        assertEquals(0, balance(user));
    }

    @Test
    void theSameKeyWithAnotherBodyIsRefused() {
        UUID user = newUserWith(10);
        String key = "k-" + UUID.randomUUID();
        asService().header("Idempotency-Key", key).body(change(4)).post("/v1/users/{id}/credits/spend", user).then()
                .statusCode(201);
        asService().header("Idempotency-Key", key).body(change(5)).post("/v1/users/{id}/credits/spend", user).then()
                .statusCode(422).body("type", equalTo("https://genledger.dev/problems/idempotency-key-reused"));
        asService().header("Idempotency-Key", key).body(change(4)).post("/v1/users/{id}/credits/grant", user).then()
                .statusCode(422);
        assertEquals(6, balance(user));
    }

    @Test
    void invalidIdempotencyKeysAreRefused() {
        UUID user = newUserWith(10);
        asService().header("Idempotency-Key", "x".repeat(129)).body(change(1))
                .post("/v1/users/{id}/credits/spend", user).then().statusCode(400)
                .body("type", equalTo("https://genledger.dev/problems/invalid-idempotency-key"));
        assertEquals(10, balance(user));
    }

    @Test
    void transferMovesCreditsBetweenUsers() {
        UUID from = newUserWith(50);
        UUID to = newUserWith(5);
        asService().body(Map.of("fromUserId", from, "toUserId", to, "amount", 20, "reason", "gift"))
                .post("/v1/transfers").then().statusCode(201)
                .body("fromBalanceAfter", equalTo(30)).body("toBalanceAfter", equalTo(25));
        assertEquals(30, balance(from));
        assertEquals(25, balance(to));
        assertEquals(1, Database.queryLong(
                "SELECT count(*) FROM credit_ledger WHERE user_id = ? AND kind = 'TRANSFER_OUT' AND amount = -20", from));
        assertEquals(1, Database.queryLong(
                "SELECT count(*) FROM credit_ledger WHERE user_id = ? AND kind = 'TRANSFER_IN' AND amount = 20", to));
    }

    @Test
    void transferFailuresChangeNothing() {
        UUID from = newUserWith(10);
        UUID to = newUserWith(0);
        asService().body(Map.of("fromUserId", from, "toUserId", to, "amount", 11, "reason", "r"))
                .post("/v1/transfers").then().statusCode(402);
        asService().body(Map.of("fromUserId", from, "toUserId", UUID.randomUUID(), "amount", 1, "reason", "r"))
                .post("/v1/transfers").then().statusCode(404);
        asService().body(Map.of("fromUserId", from, "toUserId", from, "amount", 1, "reason", "r"))
                .post("/v1/transfers").then().statusCode(400);
        asService().body(Map.of("fromUserId", "nope", "toUserId", to, "amount", 1, "reason", "r"))
                .post("/v1/transfers").then().statusCode(400);
        assertEquals(10, balance(from));
        assertEquals(0, balance(to));
        assertEquals(1, ledgerRows(from));
        assertEquals(0, ledgerRows(to));
    }

    @Test
    void transferReplayMovesCreditsOnce() {
        UUID from = newUserWith(10);
        UUID to = newUserWith(0);
        String key = "t-" + UUID.randomUUID();
        Map<String, Object> body = Map.of("fromUserId", from, "toUserId", to, "amount", 3, "reason", "r");
        String first = asService().header("Idempotency-Key", key).body(body).post("/v1/transfers").then()
                .statusCode(201).extract().asString();
        String replay = asService().header("Idempotency-Key", key).body(body).post("/v1/transfers").then()
                .statusCode(201).header("Idempotent-Replayed", "true").extract().asString();
        assertEquals(first, replay);
        asService().header("Idempotency-Key", key).body(Map.of("fromUserId", from, "toUserId", to, "amount", 4,
                "reason", "r")).post("/v1/transfers").then().statusCode(422);
        assertEquals(7, balance(from));
        assertEquals(3, balance(to));
    }

    @Test
    void aTransferReplayedAfterEitherUserWasDeletedIsNotFoundAndShowsNeither() {
        for (boolean deleteRecipient : new boolean[] { true, false }) {
            UUID from = newUserWith(10);
            UUID to = newUserWith(0);
            String key = "t-" + UUID.randomUUID();
            Map<String, Object> body = Map.of("fromUserId", from, "toUserId", to, "amount", 3, "reason", "r");
            asService().header("Idempotency-Key", key).body(body).post("/v1/transfers").then().statusCode(201);
            UUID gone = deleteRecipient ? to : from;
            asService().delete("/v1/users/{id}", gone).then().statusCode(204);

            String replay = asService().header("Idempotency-Key", key).body(body).post("/v1/transfers").then()
                    .statusCode(404).contentType("application/problem+json")
                    .body("type", equalTo("https://genledger.dev/problems/not-found"))
                    .header("Idempotent-Replayed", nullValue()).extract().asString();
            assertFalse(replay.contains("BalanceAfter"), replay);
            assertEquals(7, balance(from));
            assertEquals(3, balance(to));
            assertEquals(2, ledgerRows(from));
            assertEquals(1, ledgerRows(to));
        }
    }

    @Test
    void textIsStoredExactlyAsEchoedAndLoneSurrogatesAreRefused() {
        UUID user = newUserWith(10);
        // a JSON escape is the only way to send half a UTF-16 pair; in the echo and in PostgreSQL
        // it would become a '?' or an error
        for (String reason : new String[] { "half \\ud83d a pair", "other half \\ude00", "reversed \\ude00\\ud83d" }) {
            asService().body("{\"amount\": 1, \"reason\": \"" + reason + "\"}").post("/v1/users/{id}/credits/spend", user)
                    .then().statusCode(400).contentType("application/problem+json")
                    .body("type", equalTo("https://genledger.dev/problems/malformed-request"))
                    .body("detail", containsString("reason"));
        }
        asService().body("{\"amount\": 1, \"reason\": \"ok\", \"reference\": \"\\udbff\"}")
                .post("/v1/users/{id}/credits/spend", user).then().statusCode(400).body("detail", containsString("reference"));
        asService().body("{\"email\": \"x\\ud800@example.com\"}").post("/v1/users").then().statusCode(400);
        assertEquals(10, balance(user));
        assertEquals(1, ledgerRows(user));

        String whole = "smile \ud83d\ude00 \u00e9";
        asService().body("{\"amount\": 1, \"reason\": \"smile \\ud83d\\ude00 \u00e9\"}").post("/v1/users/{id}/credits/spend", user)
                .then().statusCode(201).body("reason", equalTo(whole));
        assertEquals(1, Database.queryLong("SELECT count(*) FROM credit_ledger WHERE user_id = ? AND reason = ?", user, whole));
    }

    @Test
    void duplicateJsonKeysAreMalformedNotLastOneWins() {
        UUID user = newUserWith(10);
        asService().body("{\"amount\": 1, \"reason\": \"r\", \"amount\": 10}").post("/v1/users/{id}/credits/spend", user)
                .then().statusCode(400).contentType("application/problem+json")
                .body("type", equalTo("https://genledger.dev/problems/malformed-request"))
                .body("detail", containsString("amount"));
        String email = "dup-" + UUID.randomUUID() + "@example.com";
        asService().body("{\"email\": \"" + email + "\", \"email\": \"other-" + email + "\"}").post("/v1/users")
                .then().statusCode(400);
        asService().body("{\"fromUserId\": \"" + user + "\", \"toUserId\": \"" + newUser() + "\", \"amount\": 1, \"reason\": \"r\", "
                + "\"toUserId\": \"" + UUID.randomUUID() + "\"}").post("/v1/transfers").then().statusCode(400);
        assertEquals(10, balance(user));
        assertEquals(0, Database.queryLong("SELECT count(*) FROM users WHERE email LIKE ?", "%" + email));
    }

    @Test
    void ledgerIsPagedNewestFirstWithACursor() {
        UUID user = newUser();
        for (int i = 1; i <= 5; i++) {
            asService().body(change(i)).post("/v1/users/{id}/credits/grant", user).then().statusCode(201);
        }
        List<Integer> amounts = new ArrayList<>();
        String cursor = null;
        int pages = 0;
        do {
            var spec = asService().queryParam("limit", 2);
            if (cursor != null) {
                spec = spec.queryParam("cursor", cursor);
            }
            Response page = spec.get("/v1/users/{id}/ledger", user);
            page.then().statusCode(200);
            amounts.addAll(page.path("items.amount"));
            cursor = page.path("nextCursor");
            pages++;
        } while (cursor != null);
        assertEquals(List.of(5, 4, 3, 2, 1), amounts);
        assertEquals(3, pages);
    }

    @Test
    void ledgerPagingParametersAreChecked() {
        UUID user = newUserWith(1);
        asService().queryParam("limit", 0).get("/v1/users/{id}/ledger", user).then().statusCode(400);
        asService().queryParam("limit", 201).get("/v1/users/{id}/ledger", user).then().statusCode(400);
        asService().queryParam("cursor", "garbage!").get("/v1/users/{id}/ledger", user).then().statusCode(400)
                .body("type", equalTo("https://genledger.dev/problems/invalid-cursor"));
    }

    @Test
    void theLedgerRefusesUpdatesAndDeletes() {
        UUID user = newUserWith(10);
        for (String sql : List.of("UPDATE credit_ledger SET amount = 1000 WHERE user_id = ?",
                "DELETE FROM credit_ledger WHERE user_id = ?")) {
            try {
                Database.execute(sql, user);
                throw new AssertionError("the ledger accepted: " + sql);
            } catch (IllegalStateException expected) {
                assertEquals("23001", ((java.sql.SQLException) expected.getCause()).getSQLState());
            }
        }
        assertEquals(1, ledgerRows(user));
    }

    @Test
    void theBalanceCannotGoNegativeEvenBySql() {
        UUID user = newUserWith(1);
        try {
            Database.execute("UPDATE users SET balance = -1 WHERE id = ?", user);
            throw new AssertionError("a negative balance was accepted");
        } catch (IllegalStateException expected) {
            assertEquals("23514", ((java.sql.SQLException) expected.getCause()).getSQLState());
        }
    }
}
