package dev.genledger.user;

import static dev.genledger.support.Api.as;
import static dev.genledger.support.Api.asAdmin;
import static dev.genledger.support.Api.asService;
import static dev.genledger.support.Api.balance;
import static dev.genledger.support.Api.ledgerRows;
import static dev.genledger.support.Api.newUserWith;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.genledger.support.Database;
import dev.genledger.support.Tokens;
import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
class SoftDeleteTests {

    @AfterEach
    void reconciliationStaysClean() {
        asAdmin().get("/v1/admin/reconciliation").then().statusCode(200).body("mismatches", hasSize(0));
    }

    private static String quiz(UUID user, String title) {
        return asService().body(Map.of("title", title, "questions",
                List.of(Map.of("question", "q", "options", List.of("a", "b"), "answer", 0))))
                .post("/v1/users/{id}/quizzes", user).then().statusCode(201).extract().path("id");
    }

    private static String job(UUID user, String key, long cost) {
        return asService().body(Map.of("jobKey", key, "kind", "quiz", "cost", cost)).post("/v1/users/{id}/jobs", user)
                .then().statusCode(201).extract().path("id");
    }

    private static String email(UUID user) {
        return asAdmin().queryParam("includeDeleted", true).queryParam("limit", 200).get("/v1/admin/users").then()
                .statusCode(200).extract().path("items.find { it.id == '" + user + "' }.email");
    }

    @Test
    void deletingAUserHidesTheirDataCancelsTheirPendingJobsAndReleasesTheirHolds() {
        UUID user = newUserWith(100);
        String kept = quiz(user, "kept");
        String slug = asService().post("/v1/quizzes/{id}/publish", kept).then().statusCode(200).extract().path("slug");
        asService().body(Map.of("content", Map.of("a", 1))).put("/v1/quizzes/{id}/insights/summary", kept).then().statusCode(201);
        String pending = job(user, "p", 10);
        String running = job(user, "r", 20);
        String done = job(user, "d", 5);
        asService().post("/v1/jobs/{id}/start", running).then().statusCode(200);
        asService().post("/v1/jobs/{id}/start", done).then().statusCode(200);
        asService().body(Map.of()).post("/v1/jobs/{id}/succeed", done).then().statusCode(200);
        // a running job is settled by the backend before the user can go (see the test below)
        asService().body(Map.of("reason", "user leaving")).post("/v1/jobs/{id}/cancel", running).then().statusCode(200);

        asService().delete("/v1/users/{id}", user).then().statusCode(204);

        asService().get("/v1/users/{id}", user).then().statusCode(404);
        asService().get("/v1/quizzes/{id}", kept).then().statusCode(404);
        asService().get("/v1/quizzes/{id}/insights", kept).then().statusCode(404);
        asService().get("/v1/users/{id}/quizzes", user).then().statusCode(404);
        asService().get("/v1/users/{id}/jobs", user).then().statusCode(404);
        asService().get("/v1/jobs/{id}", pending).then().statusCode(404);
        asService().post("/v1/jobs/{id}/start", pending).then().statusCode(404);
        asService().get("/v1/users/{id}/balance", user).then().statusCode(404);
        asService().body(Map.of("jobKey", "new", "kind", "quiz", "cost", 1)).post("/v1/users/{id}/jobs", user).then()
                .statusCode(404);
        given().get("/v1/public/quizzes/{slug}", slug).then().statusCode(404);
        asAdmin().get("/v1/admin/users").then().statusCode(200).body("items.id", not(hasItem(user.toString())));

        assertEquals(2, Database.queryLong(
                "SELECT count(*) FROM generation_jobs WHERE user_id = ? AND status = 'CANCELLED'", user));
        assertEquals(0, Database.queryLong("SELECT held FROM users WHERE id = ?", user));
        assertEquals(95, balance(user), "cancelling released the holds; the earlier capture stays");
        assertEquals(1, Database.queryLong("SELECT count(*) FROM quizzes WHERE user_id = ? AND deleted_at IS NOT NULL", user));
        assertEquals(1, Database.queryLong("SELECT count(*) FROM insights WHERE user_id = ? AND deleted_at IS NOT NULL", user));
    }

    @Test
    void aUsersJobsAreSoftDeletedWithTheUsersTimeAndComeBackWithTheRestore() {
        UUID user = newUserWith(100);
        String done = job(user, "d", 5);
        asService().post("/v1/jobs/{id}/start", done).then().statusCode(200);
        asService().body(Map.of()).post("/v1/jobs/{id}/succeed", done).then().statusCode(200);
        String pending = job(user, "p", 10);

        asService().delete("/v1/users/{id}", user).then().statusCode(204);
        assertEquals(2, Database.queryLong("SELECT count(*) FROM generation_jobs j JOIN users u ON u.id = j.user_id "
                + "WHERE j.user_id = ? AND j.deleted_at = u.deleted_at", user), "hidden with the user's deletion time");

        asAdmin().post("/v1/admin/users/{id}/restore", user).then().statusCode(200);
        assertEquals(0, Database.queryLong(
                "SELECT count(*) FROM generation_jobs WHERE user_id = ? AND deleted_at IS NOT NULL", user));
        asService().get("/v1/jobs/{id}", done).then().statusCode(200).body("status", equalTo("SUCCEEDED"));
        asService().get("/v1/jobs/{id}", pending).then().statusCode(200).body("status", equalTo("CANCELLED"));
        asService().get("/v1/users/{id}/jobs", user).then().statusCode(200).body("items", hasSize(2));
    }

    @Test
    void aJobIsHiddenByItsOwnDeletionStampNotByAJoinOnItsUser() {
        UUID user = newUserWith(100);
        String hidden = job(user, "h", 5);
        String shown = job(user, "s", 5);
        Database.execute("UPDATE generation_jobs SET deleted_at = now() WHERE id = ?::uuid", hidden);

        asService().get("/v1/jobs/{id}", hidden).then().statusCode(404);
        asService().post("/v1/jobs/{id}/start", hidden).then().statusCode(404);
        asService().get("/v1/jobs/{id}", shown).then().statusCode(200);
        asService().get("/v1/users/{id}/jobs", user).then().statusCode(200).body("items.id", contains(shown));
    }

    @Test
    void aUserWithARunningJobCannotBeDeletedUntilItSettlesSoItsChargeCannotBeDodged() {
        UUID user = newUserWith(100);
        String running = job(user, "r", 30);
        String pending = job(user, "p", 10);
        asService().post("/v1/jobs/{id}/start", running).then().statusCode(200);

        for (var caller : List.of(as(Tokens.user(user)), asService(), asAdmin())) {
            caller.delete("/v1/users/{id}", user).then().statusCode(409).contentType("application/problem+json")
                    .body("type", equalTo("https://genledger.dev/problems/user-has-running-jobs"))
                    .body("status", equalTo(409)).body("runningJobs", contains(running));
        }
        asService().get("/v1/users/{id}", user).then().statusCode(200);
        asService().get("/v1/jobs/{id}", running).then().statusCode(200).body("status", equalTo("RUNNING"));
        asService().get("/v1/jobs/{id}", pending).then().statusCode(200).body("status", equalTo("PENDING"));
        assertEquals(40, Database.queryLong("SELECT held FROM users WHERE id = ?", user));

        asService().body(Map.of("resultRef", "quiz:1")).post("/v1/jobs/{id}/succeed", running).then().statusCode(200);
        as(Tokens.user(user)).delete("/v1/users/{id}", user).then().statusCode(204);

        assertEquals(70, balance(user), "the job that ran was charged");
        assertEquals(0, Database.queryLong("SELECT held FROM users WHERE id = ?", user));
        assertEquals(1, Database.queryLong("SELECT count(*) FROM credit_ledger WHERE user_id = ? AND kind = 'CAPTURE'", user));
        assertEquals(1, Database.queryLong(
                "SELECT count(*) FROM generation_jobs WHERE id = ?::uuid AND status = 'CANCELLED'", pending));
        assertEquals(2, ledgerRows(user));
    }

    @Test
    void restoreBringsBackWhatWentWithTheUserButNotWhatTheyDeletedThemselves() {
        UUID user = newUserWith(50);
        String kept = quiz(user, "kept");
        String removedEarlier = quiz(user, "removed earlier");
        asService().body(Map.of("content", Map.of("a", 1))).put("/v1/quizzes/{id}/insights/summary", kept).then().statusCode(201);
        asService().delete("/v1/quizzes/{id}", removedEarlier).then().statusCode(204);
        asService().delete("/v1/users/{id}", user).then().statusCode(204);
        asAdmin().queryParam("includeDeleted", true).get("/v1/admin/users").then().statusCode(200)
                .body("items.find { it.id == '" + user + "' }.deletedAt", notNullValue());

        asAdmin().post("/v1/admin/users/{id}/restore", user).then().statusCode(200).body("id", equalTo(user.toString()))
                .body("balance", equalTo(50));

        asService().get("/v1/users/{id}", user).then().statusCode(200);
        asService().get("/v1/quizzes/{id}", kept).then().statusCode(200);
        asService().get("/v1/quizzes/{id}/insights", kept).then().statusCode(200).body("type", hasItem("summary"));
        asService().get("/v1/quizzes/{id}", removedEarlier).then().statusCode(404);
        asService().get("/v1/users/{id}/quizzes", user).then().statusCode(200).body("items", hasSize(1));
        asAdmin().post("/v1/admin/users/{id}/restore", user).then().statusCode(404);
        asAdmin().post("/v1/admin/users/{id}/restore", UUID.randomUUID()).then().statusCode(404);
    }

    @Test
    void restoringAUserWhoseEmailWasTakenMeanwhileIs409() {
        String email = "taken-" + UUID.randomUUID() + "@example.com";
        String first = asService().body(Map.of("email", email)).post("/v1/users").then().statusCode(201).extract().path("id");
        asService().delete("/v1/users/{id}", first).then().statusCode(204);
        asService().body(Map.of("email", email)).post("/v1/users").then().statusCode(201);
        asAdmin().post("/v1/admin/users/{id}/restore", first).then().statusCode(409)
                .body("type", equalTo("https://genledger.dev/problems/email-taken"));
    }

    @Test
    void purgeAfterRetentionAnonymisesTheUserKeepsTheLedgerAndRemovesTheirData() {
        UUID user = newUserWith(100);
        String q = quiz(user, "old");
        asService().body(Map.of("content", Map.of("a", 1))).put("/v1/quizzes/{id}/insights/summary", q).then().statusCode(201);
        String j = job(user, "j", 10);
        asService().body(Map.of("amount", 5, "reason", "spent")).post("/v1/users/{id}/credits/spend", user).then().statusCode(201);
        UUID recent = newUserWith(0);
        asService().delete("/v1/users/{id}", user).then().statusCode(204);
        asService().delete("/v1/users/{id}", recent).then().statusCode(204);
        Database.execute("UPDATE users SET deleted_at = deleted_at - interval '31 days' WHERE id = ?", user);

        asAdmin().post("/v1/admin/housekeeping/run").then().statusCode(200)
                .body("retention.ran", equalTo(true));

        assertTrue(email(user).endsWith("@purged.invalid"));
        assertEquals(0, Database.queryLong(
                "SELECT count(*) FROM users WHERE id = ? AND (external_id IS NOT NULL OR display_name IS NOT NULL)", user));
        assertEquals(1, Database.queryLong("SELECT count(*) FROM users WHERE id = ? AND purged_at IS NOT NULL", user));
        assertEquals(2, ledgerRows(user), "the ledger stays");
        assertEquals(95, balance(user));
        assertEquals(0, Database.queryLong("SELECT count(*) FROM quizzes WHERE user_id = ?", user));
        assertEquals(0, Database.queryLong("SELECT count(*) FROM insights WHERE user_id = ?", user));
        assertEquals(0, Database.queryLong("SELECT count(*) FROM generation_jobs WHERE id = ?::uuid", j));
        assertEquals(0, Database.queryLong(
                "SELECT count(*) FROM audit_log WHERE user_id = ? AND (jsonb_exists(old_values, 'email') OR jsonb_exists(new_values, 'email'))", user),
                "the audit trail keeps no personal data of a purged user");
        assertTrue(email(recent).endsWith("@example.com"), "a recently deleted user is kept");
        asAdmin().post("/v1/admin/users/{id}/restore", user).then().statusCode(404);
        asAdmin().post("/v1/admin/users/{id}/restore", recent).then().statusCode(200);
    }

    @Test
    void quizzesDeletedLongAgoArePurgedWhileTheirOwnerStays() {
        UUID user = newUserWith(0);
        String old = quiz(user, "old");
        String live = quiz(user, "live");
        asService().delete("/v1/quizzes/{id}", old).then().statusCode(204);
        Database.execute("UPDATE quizzes SET deleted_at = deleted_at - interval '31 days' WHERE id = ?::uuid", old);
        asAdmin().post("/v1/admin/housekeeping/run").then().statusCode(200);
        assertEquals(0, Database.queryLong("SELECT count(*) FROM quizzes WHERE id = ?::uuid", old));
        asService().get("/v1/quizzes/{id}", live).then().statusCode(200);
    }

    @Test
    void theAdminListPagesAndOnlyShowsDeletedUsersWhenAsked() {
        UUID deleted = newUserWith(0);
        asService().delete("/v1/users/{id}", deleted).then().statusCode(204);
        UUID a = newUserWith(0);
        UUID b = newUserWith(0);
        String cursor = asAdmin().queryParam("limit", 1).get("/v1/admin/users").then().statusCode(200)
                .body("items.id", org.hamcrest.Matchers.contains(b.toString())).extract().path("nextCursor");
        asAdmin().queryParam("limit", 1).queryParam("cursor", cursor).get("/v1/admin/users").then().statusCode(200)
                .body("items.id", org.hamcrest.Matchers.contains(a.toString()));
        asAdmin().queryParam("limit", 2).queryParam("cursor", cursor).get("/v1/admin/users").then().statusCode(200)
                .body("items.id", not(hasItem(deleted.toString())));
        asAdmin().queryParam("includeDeleted", true).queryParam("limit", 3).get("/v1/admin/users").then()
                .statusCode(200).body("items.id", hasItem(deleted.toString()));
        asService().get("/v1/admin/users").then().statusCode(403);
    }
}
