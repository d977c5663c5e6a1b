package dev.genledger.credit;

import static dev.genledger.support.Api.asService;
import static dev.genledger.support.Api.newUser;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.restassured.specification.RequestSpecification;

/** The ledger listing filtered by time range and kind, paged by cursor. */
@QuarkusTest
class LedgerFilterTests {

    private static long change(UUID user, String kind, long amount) {
        return asService().body(Map.of("amount", amount, "reason", "filter"))
                .post("/v1/users/{id}/credits/" + kind, user).then().statusCode(201).extract().jsonPath().getLong("id");
    }

    private static List<Long> ids(RequestSpecification request, UUID user) {
        return page(request, user).getList("items.id", Long.class);
    }

    private static JsonPath page(RequestSpecification request, UUID user) {
        return request.get("/v1/users/{id}/ledger", user).then().statusCode(200).extract().jsonPath();
    }

    private static Instant between() throws InterruptedException {
        Thread.sleep(20);
        Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
        Thread.sleep(20);
        return now;
    }

    @Test
    void kindsAreRepeatedOrCommaSeparatedInAnyCase() {
        UUID user = newUser();
        UUID other = newUser();
        long grant = change(user, "grant", 100);
        long spend1 = change(user, "spend", 10);
        long spend2 = change(user, "spend", 5);
        long refund = change(user, "refund", 3);
        asService().body(Map.of("fromUserId", user, "toUserId", other, "amount", 7, "reason", "gift"))
                .post("/v1/transfers").then().statusCode(201);
        long out = ids(asService().queryParam("kind", "TRANSFER_OUT"), user).getFirst();

        assertEquals(List.of(spend2, spend1), ids(asService().queryParam("kind", "SPEND"), user));
        assertEquals(List.of(refund, spend2, spend1), ids(asService().queryParam("kind", "spend, Refund"), user));
        assertEquals(List.of(spend2, spend1, grant), ids(asService().queryParam("kind", "SPEND", "GRANT"), user));
        assertEquals(List.of(out, refund, spend2, spend1, grant), ids(asService(), user));
        assertEquals(List.of(), ids(asService().queryParam("kind", "EXPIRE"), user));
        assertEquals(1, ids(asService().queryParam("kind", "transfer_in"), other).size());
    }

    @Test
    void anUnknownKindIsAProblemNamingIt() {
        UUID user = newUser();
        for (String bad : List.of("BOGUS", "SPEND,,GRANT", "HOLD", "spend;drop table users")) {
            asService().queryParam("kind", bad).get("/v1/users/{id}/ledger", user).then().statusCode(400)
                    .contentType("application/problem+json")
                    .body("type", equalTo("https://genledger.dev/problems/validation"))
                    .body("errors[0].field", equalTo("kind"));
        }
    }

    @Test
    void aTimeRangeKeepsTheRowsCreatedFromItsStartToBeforeItsEnd() throws Exception {
        UUID user = newUser();
        long first = change(user, "grant", 10);
        Instant a = between();
        long second = change(user, "grant", 20);
        long third = change(user, "spend", 5);
        Instant b = between();
        long fourth = change(user, "grant", 40);

        assertEquals(List.of(third, second), ids(asService().queryParam("from", a.toString()).queryParam("to", b.toString()), user));
        assertEquals(List.of(fourth, third, second), ids(asService().queryParam("from", a.toString()), user));
        assertEquals(List.of(first), ids(asService().queryParam("to", a.toString()), user));
        assertEquals(List.of(third), ids(asService().queryParam("from", a.toString()).queryParam("to", b.toString())
                .queryParam("kind", "SPEND"), user));
        String createdAt = page(asService().queryParam("kind", "SPEND"), user).getString("items[0].createdAt");
        assertEquals(List.of(third), ids(asService().queryParam("from", createdAt).queryParam("kind", "SPEND"), user),
                "from is inclusive: the row created at it is listed");
        assertEquals(List.of(), ids(asService().queryParam("to", createdAt).queryParam("kind", "SPEND"), user),
                "to is exclusive");
    }

    @Test
    void aMalformedOrEmptyRangeIsAProblem() {
        UUID user = newUser();
        Instant now = Instant.now();
        asService().queryParam("from", "last week").get("/v1/users/{id}/ledger", user).then().statusCode(400)
                .body("errors[0].field", equalTo("from"));
        asService().queryParam("to", "2026-02-30T00:00:00Z").get("/v1/users/{id}/ledger", user).then().statusCode(400)
                .body("errors[0].field", equalTo("to"));
        asService().queryParam("from", now.toString()).queryParam("to", now.minusSeconds(1).toString())
                .get("/v1/users/{id}/ledger", user).then().statusCode(400).body("errors[0].field", equalTo("to"));
        asService().queryParam("from", now.toString()).queryParam("to", now.toString())
                .get("/v1/users/{id}/ledger", user).then().statusCode(400).body("errors[0].field", equalTo("to"));
    }

    @Test
    void pagingAFilteredLedgerStaysStableWhileRowsAreAdded() throws Exception {
        UUID user = newUser();
        change(user, "grant", 1000);
        Instant from = between();
        List<Long> spends = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            spends.addFirst(change(user, "spend", 1 + i));
            change(user, "refund", 1);
        }
        List<Long> seen = new ArrayList<>();
        String cursor = null;
        int pages = 0;
        do {
            RequestSpecification request = asService().queryParam("kind", "SPEND").queryParam("from", from.toString())
                    .queryParam("limit", 2);
            if (cursor != null) {
                request.queryParam("cursor", cursor);
            }
            JsonPath page = page(request, user);
            seen.addAll(page.getList("items.id", Long.class));
            cursor = page.getString("nextCursor");
            // rows added while paging are newer than every cursor: no page shifts
            change(user, "spend", 1);
            change(user, "grant", 1);
            pages++;
        } while (cursor != null);
        assertEquals(spends, seen);
        assertEquals(4, pages);
    }
}
