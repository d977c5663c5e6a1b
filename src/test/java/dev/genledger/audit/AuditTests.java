package dev.genledger.audit;

import static dev.genledger.support.Api.as;
import static dev.genledger.support.Api.asAdmin;
import static dev.genledger.support.Api.asService;
import static dev.genledger.support.Api.newUserWith;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.genledger.support.Database;
import dev.genledger.support.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;

@QuarkusTest
class AuditTests {

    @AfterEach
    void reconciliationStaysClean() {
        asAdmin().get("/v1/admin/reconciliation").then().statusCode(200).body("mismatches", hasSize(0));
    }

    private static JsonPath audit(Map<String, Object> query) {
        return asAdmin().queryParams(query).get("/v1/admin/audit").then().statusCode(200).extract().jsonPath();
    }

    @Test
    void aUserChangeIsRecordedWithWhoFromWhereAndTheOldAndNewValues() {
        UUID user = newUserWith(10);
        as(Tokens.user(user)).header("User-Agent", "quiz-app/1.0").header("X-Request-Id", "req-audit-1")
                .body(Map.of("displayName", "Ada")).patch("/v1/users/{id}", user).then().statusCode(200);
        JsonPath page = audit(Map.of("userId", user, "entity", "user", "action", "UPDATE"));
        assertEquals(1, page.getList("items").size());
        assertEquals("user:" + user, page.getString("items[0].actor"));
        assertEquals("quiz-app/1.0", page.getString("items[0].userAgent"));
        assertEquals("req-audit-1", page.getString("items[0].requestId"));
        assertEquals("127.0.0.1", page.getString("items[0].clientIp"));
        assertEquals(user.toString(), page.getString("items[0].entityId"));
        assertEquals(Map.of("display_name", "Ada"), page.getMap("items[0].newValues"));
        assertEquals(1, page.getMap("items[0].oldValues").size());
        assertEquals(null, (Object) page.get("items[0].oldValues.display_name"));
        asAdmin().queryParam("userId", user).queryParam("entity", "user").queryParam("action", "CREATE")
                .get("/v1/admin/audit").then().statusCode(200).body("items", hasSize(1))
                .body("items[0].actor", equalTo("service:chatbot-backend"))
                .body("items[0].newValues.email", notNullValue())
                .body("items[0].newValues.balance", nullValue());
    }

    @Test
    void balanceChangesAreLeftToTheLedgerButJobsQuizzesAndInsightsAreAudited() {
        UUID user = newUserWith(100);
        asService().body(Map.of("amount", 5, "reason", "r")).post("/v1/users/{id}/credits/spend", user).then().statusCode(201);
        String job = asService().body(Map.of("jobKey", "a", "kind", "quiz", "cost", 10)).post("/v1/users/{id}/jobs", user)
                .then().statusCode(201).extract().path("id");
        asService().post("/v1/jobs/{id}/start", job).then().statusCode(200);
        String quiz = asService().body(Map.of("title", "t", "questions",
                List.of(Map.of("question", "q", "options", List.of("a", "b"), "answer", 0))))
                .post("/v1/users/{id}/quizzes", user).then().statusCode(201).extract().path("id");
        asService().body(Map.of("content", Map.of("a", 1))).put("/v1/quizzes/{id}/insights/summary", quiz).then().statusCode(201);
        asService().body(Map.of("content", Map.of("a", 2))).put("/v1/quizzes/{id}/insights/summary", quiz).then().statusCode(200);
        asService().delete("/v1/quizzes/{id}", quiz).then().statusCode(204);

        JsonPath all = audit(Map.of("userId", user, "limit", 200));
        assertEquals(List.of("insight", "quiz", "insight", "insight", "quiz", "job", "job", "user"),
                all.getList("items.entity"));
        assertEquals(List.of("DELETE", "DELETE", "UPDATE", "CREATE", "CREATE", "STATUS", "CREATE", "CREATE"),
                all.getList("items.action"));
        asAdmin().queryParam("entity", "job").queryParam("entityId", job).queryParam("action", "STATUS")
                .get("/v1/admin/audit").then().statusCode(200)
                .body("items[0].oldValues.status", equalTo("PENDING")).body("items[0].newValues.status", equalTo("RUNNING"));
        asAdmin().queryParam("userId", user).queryParam("entity", "insight").queryParam("action", "UPDATE")
                .get("/v1/admin/audit").then().statusCode(200)
                .body("items[0].oldValues.content.a", equalTo(1)).body("items[0].newValues.content.a", equalTo(2));
    }

    @Test
    void theTimeRangeAndCursorNarrowTheSearch() {
        UUID user = newUserWith(0);
        for (int i = 0; i < 5; i++) {
            asService().body(Map.of("displayName", "n" + i)).patch("/v1/users/{id}", user).then().statusCode(200);
        }
        String cursor = asAdmin().queryParam("userId", user).queryParam("action", "UPDATE").queryParam("limit", 3)
                .get("/v1/admin/audit").then().statusCode(200).body("items", hasSize(3))
                .body("items[0].newValues.display_name", equalTo("n4")).extract().path("nextCursor");
        asAdmin().queryParam("userId", user).queryParam("action", "UPDATE").queryParam("limit", 3)
                .queryParam("cursor", cursor).get("/v1/admin/audit").then().statusCode(200)
                .body("items.newValues.display_name", contains("n1", "n0")).body("nextCursor", nullValue());
        String future = OffsetDateTime.now(ZoneOffset.UTC).plusHours(1).toString();
        asAdmin().queryParam("userId", user).queryParam("from", future).get("/v1/admin/audit").then().statusCode(200)
                .body("items", hasSize(0));
        asAdmin().queryParam("userId", user).queryParam("to", future).get("/v1/admin/audit").then().statusCode(200)
                .body("items", hasSize(6));
        asAdmin().queryParam("from", "yesterday").get("/v1/admin/audit").then().statusCode(400);
        asService().get("/v1/admin/audit").then().statusCode(403);
    }

    @Test
    void adminActionsAreRecorded() {
        UUID user = newUserWith(0);
        asService().delete("/v1/users/{id}", user).then().statusCode(204);
        asAdmin().header("X-Request-Id", "req-restore-1").post("/v1/admin/users/{id}/restore", user).then().statusCode(200);
        asAdmin().queryParam("userId", user).queryParam("entity", "admin").get("/v1/admin/audit").then().statusCode(200)
                .body("items.action", contains("restore-user")).body("items[0].actor", equalTo("admin:ops-admin"))
                .body("items[0].requestId", equalTo("req-restore-1"));
        asAdmin().queryParam("userId", user).queryParam("entity", "user").get("/v1/admin/audit").then().statusCode(200)
                .body("items.action", contains("RESTORE", "DELETE", "CREATE"));
        asAdmin().post("/v1/admin/housekeeping/run").then().statusCode(200);
        asAdmin().queryParam("entity", "admin").queryParam("action", "retention-purge").queryParam("limit", 1)
                .get("/v1/admin/audit").then().statusCode(200).body("items[0].actor", equalTo("admin:ops-admin"))
                .body("items[0].newValues.auditEntries", notNullValue());
    }

    @Test
    void auditHistoryOlderThanItsRetentionIsPurged() {
        UUID user = newUserWith(0);
        asService().body(Map.of("displayName", "x")).patch("/v1/users/{id}", user).then().statusCode(200);
        Database.execute("UPDATE audit_log SET at = at - interval '91 days' WHERE user_id = ? AND action = 'CREATE'", user);
        asAdmin().post("/v1/admin/housekeeping/run").then().statusCode(200);
        assertEquals(0, Database.queryLong("SELECT count(*) FROM audit_log WHERE user_id = ? AND action = 'CREATE'", user));
        assertEquals(1, Database.queryLong("SELECT count(*) FROM audit_log WHERE user_id = ? AND action = 'UPDATE'", user));
    }

    @Test
    void changesMadeOutsideTheServiceAreStillRecordedAgainstTheDatabaseRole() {
        UUID user = newUserWith(0);
        Database.execute("UPDATE users SET display_name = 'by hand' WHERE id = ?", user);
        asAdmin().queryParam("userId", user).queryParam("action", "UPDATE").get("/v1/admin/audit").then()
                .statusCode(200).body("items.actor", everyItem(equalTo("database:postgres")))
                .body("items.actor", hasItem("database:postgres"));
    }
}
