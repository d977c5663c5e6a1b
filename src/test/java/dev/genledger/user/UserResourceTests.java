package dev.genledger.user;

import static dev.genledger.support.Api.as;
import static dev.genledger.support.Api.asAdmin;
import static dev.genledger.support.Api.asService;
import static dev.genledger.support.Api.inBackground;
import static dev.genledger.support.Api.newUserWith;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import dev.genledger.support.Database;
import dev.genledger.support.LostCommitAck;
import dev.genledger.support.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;

@QuarkusTest
class UserResourceTests {

    private static String email() {
        return "user-" + UUID.randomUUID() + "@example.com";
    }

    @Test
    void createdUserCanBeReadBackWithItsEmailLowerCased() {
        String email = "Ada-" + UUID.randomUUID() + "@Example.com";
        String id = asService().body(Map.of("email", email, "displayName", "Ada Lovelace ✓"))
                .post("/v1/users").then().statusCode(201)
                .header("Location", notNullValue())
                .body("email", equalTo(email.toLowerCase())).body("balance", equalTo(0))
                .extract().path("id");
        asService().get("/v1/users/{id}", id).then().statusCode(200)
                .body("displayName", equalTo("Ada Lovelace ✓")).body("email", equalTo(email.toLowerCase()));
    }

    @Test
    void aCreateWhoseCommitAnswerIsLostIsAnswered201NotAConflictWithItself() throws Exception {
        // The service retries a commit whose answer never came; the retry must find the user its
        // own first attempt created, not refuse the email as taken.
        String email = email();
        Response response;
        try (LostCommitAck lost = LostCommitAck.arm()) {
            CompletableFuture<Response> create = inBackground(() -> asService().body(Map.of("email", email)).post("/v1/users"));
            lost.cut(lost.waitingCommit());
            response = create.get(10, TimeUnit.SECONDS);
        }
        response.then().statusCode(201).body("email", equalTo(email));
        assertEquals(1, Database.queryLong("SELECT count(*) FROM users WHERE email = ? AND id = ?::uuid", email,
                response.path("id")));
        assertEquals(1, Database.queryLong("SELECT count(*) FROM users WHERE email = ?", email));
    }

    @Test
    void emailIsUniqueRegardlessOfCase() {
        String email = email();
        asService().body(Map.of("email", email)).post("/v1/users").then().statusCode(201);
        asService().body(Map.of("email", email.toUpperCase())).post("/v1/users").then().statusCode(409)
                .contentType("application/problem+json")
                .body("type", equalTo("https://genledger.dev/problems/email-taken"));
        assertEquals(1, Database.queryLong("SELECT count(*) FROM users WHERE lower(email) = ?", email));
    }

    @Test
    void externalIdIsUniqueAmongLiveUsers() {
        String ext = "tg-" + UUID.randomUUID();
        asService().body(Map.of("email", email(), "externalId", ext)).post("/v1/users").then().statusCode(201);
        asService().body(Map.of("email", email(), "externalId", ext)).post("/v1/users").then().statusCode(409)
                .body("type", equalTo("https://genledger.dev/problems/external-id-taken"));
    }

    @Test
    void invalidUserIsRefusedWithTheFieldsNamed() {
        asService().body(Map.of("email", "not-an-email")).post("/v1/users").then().statusCode(400)
                .contentType("application/problem+json")
                .body("type", equalTo("https://genledger.dev/problems/validation"))
                .body("errors.field", hasItem("email"));
        asService().body(Map.of("displayName", "no email")).post("/v1/users").then().statusCode(400)
                .body("errors.field", hasItem("email"));
        asService().body(Map.of("email", email(), "displayName", "x".repeat(201))).post("/v1/users").then()
                .statusCode(400).body("errors.field", hasItem("displayName"));
        asService().body(Map.of("email", email(), "displayName", "bell\u0007")).post("/v1/users").then()
                .statusCode(400);
        asService().post("/v1/users").then().statusCode(400);
    }

    @Test
    void unknownOrMalformedUserIdIsNotFound() {
        asService().get("/v1/users/{id}", UUID.randomUUID()).then().statusCode(404)
                .body("type", equalTo("https://genledger.dev/problems/not-found"));
        asService().get("/v1/users/not-a-uuid").then().statusCode(404);
    }

    @Test
    void usersAreFoundByEmailOrExternalId() {
        String email = email();
        String ext = "tg-" + UUID.randomUUID();
        String id = asService().body(Map.of("email", email, "externalId", ext)).post("/v1/users").then()
                .statusCode(201).extract().path("id");
        asService().queryParam("email", email.toUpperCase()).get("/v1/users").then().statusCode(200)
                .body("id", equalTo(id));
        asService().queryParam("externalId", ext).get("/v1/users").then().statusCode(200).body("id", equalTo(id));
        asService().queryParam("externalId", "nobody-" + UUID.randomUUID()).get("/v1/users").then().statusCode(404);
        asService().get("/v1/users").then().statusCode(400);
        asService().queryParam("email", email).queryParam("externalId", ext).get("/v1/users").then().statusCode(400);
    }

    @Test
    void upsertByExternalIdCreatesThenUpdatesTheSameUser() {
        String ext = "tg-" + UUID.randomUUID();
        String id = asService().body(Map.of("email", email(), "displayName", "first"))
                .put("/v1/users/by-external-id/{ext}", ext).then().statusCode(201).extract().path("id");
        String email = email();
        asService().body(Map.of("email", email, "displayName", "second"))
                .put("/v1/users/by-external-id/{ext}", ext).then().statusCode(200)
                .body("id", equalTo(id)).body("displayName", equalTo("second")).body("email", equalTo(email));
    }

    @Test
    void anExternalIdWithControlCharactersIsRefusedInThePathAsInBodies() {
        String base = "tg-" + UUID.randomUUID();
        for (String ext : List.of(base + "\n", base + "\r\nX-Injected: 1", base + "\u0000", base + "\u001b[31m",
                base + "\u007f", base + "\u0085", base + "\t")) {
            asService().body(Map.of("email", email())).put("/v1/users/by-external-id/{ext}", ext).then()
                    .statusCode(400).contentType("application/problem+json")
                    .body("type", equalTo("https://genledger.dev/problems/validation"))
                    .body("errors.field", hasItem("externalId"));
            asService().body(Map.of("email", email(), "externalId", ext)).post("/v1/users").then().statusCode(400);
        }
        assertEquals(0, Database.queryLong("SELECT count(*) FROM users WHERE external_id LIKE ?", base + "%"));
        asService().body(Map.of("email", email())).put("/v1/users/by-external-id/{ext}", base + " ünïcode").then()
                .statusCode(201).body("externalId", equalTo(base + " ünïcode"));
    }

    @Test
    void concurrentUpsertsOfOneExternalIdMakeOneUser() throws Exception {
        String ext = "tg-" + UUID.randomUUID();
        int callers = 48;
        ExecutorService pool = Executors.newFixedThreadPool(callers);
        List<Future<Integer>> statuses = new ArrayList<>();
        for (int i = 0; i < callers; i++) {
            String email = email();
            Callable<Integer> call = () -> asService().body(Map.of("email", email))
                    .put("/v1/users/by-external-id/{ext}", ext).then().extract().statusCode();
            statuses.add(pool.submit(call));
        }
        Map<Integer, Integer> counts = new HashMap<>();
        for (Future<Integer> s : statuses) {
            counts.merge(s.get(), 1, Integer::sum);
        }
        pool.shutdown();
        assertEquals(Map.of(201, 1, 200, callers - 1), counts);
        assertEquals(1, Database.queryLong("SELECT count(*) FROM users WHERE external_id = ?", ext));
    }

    @Test
    void patchChangesOnlyTheGivenFields() {
        String email = email();
        String id = asService().body(Map.of("email", email, "displayName", "before")).post("/v1/users").then()
                .statusCode(201).extract().path("id");
        asService().body(Map.of("displayName", "after")).patch("/v1/users/{id}", id).then().statusCode(200)
                .body("displayName", equalTo("after")).body("email", equalTo(email));
        String taken = email();
        asService().body(Map.of("email", taken)).post("/v1/users").then().statusCode(201);
        asService().body(Map.of("email", taken)).patch("/v1/users/{id}", id).then().statusCode(409);
        asService().body(Map.of("displayName", "x")).patch("/v1/users/{id}", UUID.randomUUID()).then().statusCode(404);
    }

    @Test
    void aUserMayRenameThemselvesButNotTakeAnEmailOrExternalIdNorProbeForOne() {
        String victimEmail = email();
        String victimExt = "tg-" + UUID.randomUUID();
        asService().body(Map.of("email", victimEmail, "externalId", victimExt)).post("/v1/users").then().statusCode(201);
        String mine = email();
        UUID me = UUID.fromString(asService().body(Map.of("email", mine)).post("/v1/users").then().statusCode(201)
                .extract().path("id"));
        String myToken = Tokens.user(me);
        String unclaimedExt = "tg-" + UUID.randomUUID();

        // taken or free, the answer is the same 403: no oracle for registered emails or ids
        for (Map<String, Object> patch : List.<Map<String, Object>>of(Map.of("email", victimEmail),
                Map.of("email", email()), Map.of("externalId", victimExt), Map.of("externalId", unclaimedExt),
                Map.of("displayName", "both", "email", email()))) {
            as(myToken).body(patch).patch("/v1/users/{id}", me).then().statusCode(403)
                    .contentType("application/problem+json")
                    .body("type", equalTo("https://genledger.dev/problems/forbidden"));
        }
        assertEquals(1, Database.queryLong(
                "SELECT count(*) FROM users WHERE id = ? AND email = ? AND external_id IS NULL AND display_name IS NULL",
                me, mine));

        // the backend's later upsert of that Telegram id makes its own user, not the attacker's
        String upserted = asService().body(Map.of("email", email())).put("/v1/users/by-external-id/{ext}", unclaimedExt)
                .then().statusCode(201).extract().path("id");
        assertNotEquals(me.toString(), upserted);

        as(myToken).body(Map.of("displayName", "Me")).patch("/v1/users/{id}", me).then().statusCode(200)
                .body("displayName", equalTo("Me")).body("email", equalTo(mine));
    }

    @Test
    void theBackendAndAdminsMayChangeIdentityFields() {
        UUID id = newUserWith(0);
        String email = email();
        String ext = "tg-" + UUID.randomUUID();
        asService().body(Map.of("email", email)).patch("/v1/users/{id}", id).then().statusCode(200)
                .body("email", equalTo(email));
        asAdmin().body(Map.of("externalId", ext)).patch("/v1/users/{id}", id).then().statusCode(200)
                .body("externalId", equalTo(ext)).body("email", equalTo(email));
        asService().queryParam("externalId", ext).get("/v1/users").then().statusCode(200).body("id", equalTo(id.toString()));
    }

    @Test
    void patchNeverTouchesTheBalance() {
        UUID id = newUserWith(30);
        asService().body(Map.of("displayName", "renamed")).patch("/v1/users/{id}", id).then().statusCode(200)
                .body("balance", equalTo(30));
        assertEquals(30, Database.queryLong("SELECT balance FROM users WHERE id = ?", id));
    }

    @Test
    void deletedUserIsInvisibleEverywhereAndCannotMoveCredits() {
        String email = email();
        String ext = "tg-" + UUID.randomUUID();
        UUID id = UUID.fromString(asService().body(Map.of("email", email, "externalId", ext)).post("/v1/users")
                .then().statusCode(201).extract().path("id"));
        asService().body(Map.of("amount", 10, "reason", "welcome")).post("/v1/users/{id}/credits/grant", id).then()
                .statusCode(201);
        UUID other = newUserWith(10);

        asService().delete("/v1/users/{id}", id).then().statusCode(204);

        asService().get("/v1/users/{id}", id).then().statusCode(404);
        asService().queryParam("email", email).get("/v1/users").then().statusCode(404);
        asService().queryParam("externalId", ext).get("/v1/users").then().statusCode(404);
        asService().get("/v1/users/{id}/balance", id).then().statusCode(404);
        asService().get("/v1/users/{id}/ledger", id).then().statusCode(404);
        asService().body(Map.of("displayName", "zombie")).patch("/v1/users/{id}", id).then().statusCode(404);
        asService().body(Map.of("amount", 1, "reason", "r")).post("/v1/users/{id}/credits/spend", id).then()
                .statusCode(404);
        asService().body(Map.of("amount", 1, "reason", "r")).post("/v1/users/{id}/credits/grant", id).then()
                .statusCode(404);
        asService().body(Map.of("fromUserId", other, "toUserId", id, "amount", 1, "reason", "r"))
                .post("/v1/transfers").then().statusCode(404);
        asService().delete("/v1/users/{id}", id).then().statusCode(404);

        // the row is kept, stamped, with its money untouched
        assertEquals(1, Database.queryLong("SELECT count(*) FROM users WHERE id = ? AND deleted_at IS NOT NULL", id));
        assertEquals(10, Database.queryLong("SELECT balance FROM users WHERE id = ?", id));
        assertEquals(10, Database.queryLong("SELECT balance FROM users WHERE id = ?", other));
    }

    @Test
    void aNewUserMayTakeTheEmailOfADeletedOneButSeesNoneOfItsData() {
        String email = email();
        UUID old = UUID.fromString(asService().body(Map.of("email", email)).post("/v1/users").then().statusCode(201)
                .extract().path("id"));
        asService().body(Map.of("amount", 7, "reason", "r")).post("/v1/users/{id}/credits/grant", old).then()
                .statusCode(201);
        asService().delete("/v1/users/{id}", old).then().statusCode(204);
        String fresh = asService().body(Map.of("email", email)).post("/v1/users").then().statusCode(201)
                .body("balance", equalTo(0)).extract().path("id");
        asService().queryParam("email", email).get("/v1/users").then().statusCode(200).body("id", equalTo(fresh));
        asService().get("/v1/users/{id}/ledger", fresh).then().statusCode(200).body("items.size()", equalTo(0));
    }
}
