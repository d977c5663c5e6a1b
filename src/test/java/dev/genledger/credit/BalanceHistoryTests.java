package dev.genledger.credit;

import static dev.genledger.support.Api.asAdmin;
import static dev.genledger.support.Api.asService;
import static dev.genledger.support.Api.newUser;
import static dev.genledger.support.CreditLots.lot;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
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

import io.quarkus.test.junit.QuarkusTest;

/** The balance at a point in time, against what the live balance said at each moment. */
@QuarkusTest
class BalanceHistoryTests {

    @Inject
    LotExpiry expiry;

    @AfterEach
    void reconciliationStaysClean() {
        asAdmin().get("/v1/admin/reconciliation").then().statusCode(200).body("mismatches", hasSize(0));
    }

    /** An instant between two changes: nothing was in flight on either side of it. */
    private static Instant between() throws InterruptedException {
        Thread.sleep(20);
        Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
        Thread.sleep(20);
        return now;
    }

    private static Map<String, Object> live(UUID user) {
        return asService().get("/v1/users/{id}/balance", user).then().statusCode(200).extract().jsonPath().getMap("");
    }

    private static Map<String, Object> at(UUID user, Instant at) {
        return asService().queryParam("at", at.toString()).get("/v1/users/{id}/balance", user).then().statusCode(200)
                .extract().jsonPath().getMap("");
    }

    private static void change(UUID user, String kind, long amount) {
        asService().body(Map.of("amount", amount, "reason", "history"))
                .post("/v1/users/{id}/credits/" + kind, user).then().statusCode(201);
    }

    @Test
    void theBalanceAtEachInstantIsWhatTheLiveBalanceSaidThen() throws Exception {
        UUID user = newUser();
        List<Instant> instants = new ArrayList<>();
        List<Map<String, Object>> said = new ArrayList<>();
        Runnable record = () -> {
            try {
                said.add(live(user));
                instants.add(between());
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        };
        record.run();
        OffsetDateTime soon = OffsetDateTime.now(ZoneOffset.UTC).plusSeconds(8).truncatedTo(ChronoUnit.MILLIS);
        lot(user, 100, "paid", null);
        long promo = lot(user, 30, "promotional", soon);
        lot(user, 20, "paid", OffsetDateTime.now(ZoneOffset.UTC).plusDays(1).truncatedTo(ChronoUnit.SECONDS));
        record.run();
        change(user, "spend", 40); // all of the promotional lot, 10 of the one expiring tomorrow
        record.run();
        change(user, "refund", 15); // 10 back to tomorrow's lot, 5 to the promotional one
        record.run();
        String job = asService().body(Map.of("jobKey", "k-" + UUID.randomUUID(), "kind", "quiz", "cost", 25))
                .post("/v1/users/{id}/jobs", user).then().statusCode(201).extract().path("id");
        record.run();
        assertTrue(instants.getLast().isBefore(soon.toInstant()), "the history before the expiry took too long");
        while (!OffsetDateTime.now().isAfter(soon.plusNanos(300_000_000))) {
            Thread.sleep(50);
        }
        record.run(); // the promotional lot is past its expiry, its credits held for the job
        asService().post("/v1/jobs/{id}/cancel", job).then().statusCode(200);
        record.run();
        assertEquals(1, expiry.run());
        record.run();
        change(user, "spend", 7);
        record.run();

        for (int i = 0; i < instants.size(); i++) {
            assertEquals(said.get(i), at(user, instants.get(i)), "the balance at instant " + i);
        }
        // the history did move: what each instant says differs from the next
        assertEquals(List.of(0, 150, 110, 125, 125, 125, 125, 120, 113),
                said.stream().map(b -> (Integer) b.get("balance")).toList());
        assertEquals(List.of(0, 0, 0, 0, 25, 25, 0, 0, 0), said.stream().map(b -> (Integer) b.get("held")).toList());
        assertEquals(List.of(0, 150, 110, 125, 100, 100, 120, 120, 113),
                said.stream().map(b -> (Integer) b.get("available")).toList());
        assertEquals(List.of("active", "active", "active"), statuses(said.get(1)));
        assertEquals(List.of("expired", "active", "active"), statuses(said.get(5)));
        assertEquals(promo, ((Number) lots(said.get(5)).getFirst().get("id")).longValue());
        assertEquals(List.of("active", "active"), statuses(said.get(7)));
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> lots(Map<String, Object> balance) {
        return (List<Map<String, Object>>) balance.get("lots");
    }

    private static List<Object> statuses(Map<String, Object> balance) {
        return lots(balance).stream().map(l -> l.get("status")).toList();
    }

    @Test
    void beforeTheUserHadCreditsTheBalanceIsEmpty() {
        Instant before = Instant.now().minusSeconds(3600);
        UUID user = newUser();
        lot(user, 10, "paid", null);
        asService().queryParam("at", before.toString()).get("/v1/users/{id}/balance", user).then().statusCode(200)
                .body("balance", equalTo(0)).body("available", equalTo(0)).body("lots", hasSize(0));
    }

    @Test
    void anInstantThatIsMalformedOrInTheFutureIsAProblem() {
        UUID user = newUser();
        for (String bad : List.of("yesterday", " ", "2026-01-31T12:00:00", "2026-13-01T00:00:00Z",
                Instant.now().plusSeconds(3600).toString())) {
            asService().queryParam("at", bad).get("/v1/users/{id}/balance", user).then().statusCode(400)
                    .contentType("application/problem+json").body("type", equalTo("https://genledger.dev/problems/validation"))
                    .body("errors[0].field", equalTo("at"));
        }
        asService().queryParam("at", Instant.now().plusSeconds(1).toString()).get("/v1/users/{id}/balance", user)
                .then().statusCode(200);
        asService().queryParam("at", "2026-01-31T12:00:00+01:00").get("/v1/users/{id}/balance", user)
                .then().statusCode(200);
        asService().queryParam("at", Instant.now().toString()).get("/v1/users/{id}/balance", UUID.randomUUID())
                .then().statusCode(404);
    }
}
