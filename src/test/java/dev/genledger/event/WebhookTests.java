package dev.genledger.event;

import static dev.genledger.support.Api.asAdmin;
import static dev.genledger.support.Api.asService;
import static dev.genledger.support.Api.grant;
import static dev.genledger.support.Api.newUser;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.genledger.support.Database;
import dev.genledger.support.Metrics;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;

/**
 * Webhooks against real receivers the tests start, which fail, hang and answer slowly on purpose.
 * The service's own worker delivers (polling every second, retrying for 6 s here).
 */
@QuarkusTest
class WebhookTests {

    static final String SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

    @Inject
    WebhookService service;

    private final List<AutoCloseable> open = new ArrayList<>();
    private final List<String> endpoints = new ArrayList<>();

    @AfterEach
    void removeEndpointsAndReceivers() throws Exception {
        for (String id : endpoints) {
            asAdmin().delete("/v1/admin/webhooks/{id}", id);
        }
        for (AutoCloseable c : open) {
            c.close();
        }
    }

    Receiver receiver(java.util.function.Function<Receiver.Received, Receiver.Answer> behaviour) throws Exception {
        Receiver r = new Receiver(behaviour);
        open.add(r);
        return r;
    }

    String endpoint(Receiver r, String... types) {
        String id = asAdmin().body(Receiver.endpoint(r.url(), SECRET, types)).post("/v1/admin/webhooks").then()
                .statusCode(201).extract().path("id");
        endpoints.add(id);
        return id;
    }

    static void await(String what, Duration within, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + within + ": " + what);
            }
            Thread.sleep(20);
        }
    }

    static List<Long> eventIds(UUID user) {
        return EventsTests.events(user).stream().map(e -> ((Number) e.get("id")).longValue()).toList();
    }

    @Test
    void aDeliveryIsTheEventSignedPerTheSpecification() throws Exception {
        Receiver r = receiver(x -> Receiver.Answer.OK);
        endpoint(r);
        UUID user = newUser();
        grant(user, 100);
        await("the grant's event delivered", Duration.ofSeconds(10), () -> !r.acceptedFor(user.toString()).isEmpty());
        Receiver.Received got = r.acceptedFor(user.toString()).getFirst();
        assertTrue(StandardWebhooksVerifier.verify(SECRET, got.id(), got.timestamp(), got.body(), got.signature()));
        assertFalse(StandardWebhooksVerifier.verify("whsec_" + java.util.Base64.getEncoder().encodeToString(new byte[24]),
                got.id(), got.timestamp(), got.body(), got.signature()), "another secret does not verify");
        assertFalse(StandardWebhooksVerifier.verify(SECRET, got.id(), got.timestamp(), got.body().replace("100", "900"),
                got.signature()), "a changed body does not verify");
        assertEquals(Long.toString(got.eventId()), got.id(), "webhook-id is the event id");
        Map<String, Object> pulled = EventsTests.events(user).getFirst();
        assertEquals(pulled, new ObjectMapper().readValue(got.body(), Map.class), "the body is the event as the pull API shows it");
        assertEquals("credits.granted", pulled.get("type"));
    }

    @Test
    void anEndpointGetsOnlyTheTypesItAskedFor() throws Exception {
        Receiver r = receiver(x -> Receiver.Answer.OK);
        endpoint(r, "credits.low");
        UUID user = newUser();
        grant(user, 20);
        asService().body(Map.of("amount", 15, "reason", "r")).post("/v1/users/{id}/credits/spend", user).then().statusCode(201);
        await("credits.low delivered", Duration.ofSeconds(10), () -> !r.acceptedFor(user.toString()).isEmpty());
        Thread.sleep(500);
        assertEquals(List.of("credits.low"),
                r.acceptedFor(user.toString()).stream().map(x -> x.event().get("type").asText()).toList());
    }

    @Test
    void aFailingReceiverIsRetriedUntilItAcceptsAndTheLogShowsEveryAttempt() throws Exception {
        Map<String, AtomicInteger> tries = new ConcurrentHashMap<>();
        Receiver r = receiver(x -> tries.computeIfAbsent(x.id(), k -> new AtomicInteger()).incrementAndGet() <= 2
                ? Receiver.Answer.FAIL : Receiver.Answer.OK);
        String endpoint = endpoint(r);
        UUID user = newUser();
        grant(user, 100);
        await("delivered on the third attempt", Duration.ofSeconds(10), () -> !r.acceptedFor(user.toString()).isEmpty());
        assertEquals(3, r.receivedFor(user.toString()).size());
        await("the outcome recorded", Duration.ofSeconds(5), () -> Database.queryLong(
                "SELECT count(*) FROM webhook_deliveries WHERE user_id = ? AND status = 'DELIVERED'", user) == 1);
        JsonPath log = asAdmin().get("/v1/admin/webhooks/{id}/deliveries?limit=200", endpoint).then().statusCode(200)
                .extract().jsonPath();
        Map<String, Object> delivery = log.getList("items", Map.class).stream()
                .filter(d -> d.get("userId").equals(user.toString())).findFirst().orElseThrow();
        assertEquals("DELIVERED", delivery.get("status"));
        assertEquals(3, delivery.get("attempts"));
        assertEquals(204, delivery.get("lastStatusCode"));
        List<?> attempts = (List<?>) delivery.get("log");
        assertEquals(List.of(500, 500, 204), attempts.stream().map(a -> ((Map<?, ?>) a).get("statusCode")).toList());
        assertTrue(attempts.stream().allMatch(a -> ((Number) ((Map<?, ?>) a).get("latencyMs")).intValue() >= 0));
        assertTrue(Metrics.sum("genledger_webhook_deliveries_total", "outcome=\"failed\"") >= 2);
        assertTrue(Metrics.sum("genledger_webhook_deliveries_total", "outcome=\"delivered\"") >= 1);
    }

    @Test
    void aReceiverThatNeverAcceptsIsDeadLetteredAndAReplaySendsTheRangeAgain() throws Exception {
        Receiver r = receiver(x -> Receiver.Answer.FAIL);
        String endpoint = endpoint(r);
        UUID user = newUser();
        grant(user, 100);
        grant(user, 5);
        await("dead-lettered after the 6 s retry period", Duration.ofSeconds(25), () -> Database.queryLong(
                "SELECT count(*) FROM webhook_deliveries WHERE user_id = ? AND status = 'DEAD'", user) == 2);
        int attemptsBeforeDead = r.receivedFor(user.toString()).size();
        assertTrue(attemptsBeforeDead >= 4, "retried with backoff: " + attemptsBeforeDead);
        Thread.sleep(500);
        assertEquals(attemptsBeforeDead, r.receivedFor(user.toString()).size(), "nothing more once dead");
        asAdmin().get("/v1/admin/webhooks/{id}/deliveries?status=DEAD", endpoint).then().statusCode(200)
                .body("items.findAll { it.userId == '" + user + "' }.size()", equalTo(2));

        r.behave(x -> Receiver.Answer.OK);
        List<Long> ids = eventIds(user);
        asAdmin().body(Map.of("fromEventId", ids.get(0), "toEventId", ids.get(1))).post("/v1/admin/webhooks/{id}/replay", endpoint)
                .then().statusCode(202).body("endpointDeliveries", equalTo(2));
        await("both sent again and accepted", Duration.ofSeconds(10), () -> r.acceptedFor(user.toString()).size() == 2);
        assertEquals(ids, r.acceptedFor(user.toString()).stream().map(Receiver.Received::eventId).toList());
        asAdmin().body(Map.of("fromEventId", 5, "toEventId", 1)).post("/v1/admin/webhooks/{id}/replay", endpoint)
                .then().statusCode(400).contentType("application/problem+json");
        asAdmin().body(Map.of("fromEventId", 1, "toEventId", 2)).post("/v1/admin/webhooks/{id}/replay", UUID.randomUUID())
                .then().statusCode(404);
    }

    @Test
    void eachUsersEventsArriveInOrderAndAllOfThemThroughFailuresAndSlowAnswers() throws Exception {
        Receiver r = receiver(x -> {
            int dice = ThreadLocalRandom.current().nextInt(10);
            return dice < 3 ? Receiver.Answer.FAIL : dice < 5 ? Receiver.Answer.slow(50) : Receiver.Answer.OK;
        });
        endpoint(r);
        List<UUID> users = List.of(newUser(), newUser(), newUser(), newUser());
        dev.genledger.support.Concurrently.run(users.size(), i -> {
            for (int n = 1; n <= 8; n++) {
                grant(users.get(i), n);
            }
            return null;
        });
        for (UUID user : users) {
            List<Long> expected = eventIds(user);
            assertEquals(8, expected.size());
            await("all of " + user + "'s events accepted", Duration.ofSeconds(60),
                    () -> r.acceptedFor(user.toString()).size() >= expected.size());
            List<Long> acceptedInOrder = r.acceptedFor(user.toString()).stream().map(Receiver.Received::eventId).toList();
            assertEquals(expected, acceptedInOrder, "each accepted once, in the user's order");
            // and nothing of a user is sent before the previous event was accepted
            List<Long> sent = r.receivedFor(user.toString()).stream().map(Receiver.Received::eventId).toList();
            for (int i = 1; i < sent.size(); i++) {
                assertTrue(sent.get(i) >= sent.get(i - 1), "sent out of order: " + sent);
            }
        }
    }

    @Test
    void aBacklogDrainsAtTheReceiversPaceNotOneBatchOfSlotsPerPoll() throws Exception {
        Receiver r = receiver(x -> Receiver.Answer.OK);
        endpoint(r);
        List<UUID> users = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            users.add(newUser());
        }
        dev.genledger.support.Concurrently.run(users.size(), i -> {
            for (int n = 1; n <= 5; n++) {
                grant(users.get(i), n);
            }
            return null;
        });
        // 100 events through 4 slots: claimed only by the once-a-second poll they would take 25 s.
        await("100 events delivered", Duration.ofSeconds(10),
                () -> users.stream().mapToInt(u -> r.acceptedFor(u.toString()).size()).sum() >= 100);
        for (UUID user : users) {
            assertEquals(eventIds(user), r.acceptedFor(user.toString()).stream().map(Receiver.Received::eventId).toList());
        }
    }

    @Test
    void aHangingReceiverDoesNotStallAnotherEndpoint() throws Exception {
        Receiver hanging = receiver(x -> Receiver.Answer.HANG);
        Receiver healthy = receiver(x -> Receiver.Answer.OK);
        String stuck = endpoint(hanging);
        endpoint(healthy);
        UUID user = newUser();
        long started = System.nanoTime();
        for (int i = 1; i <= 5; i++) {
            grant(user, i);
        }
        await("the healthy endpoint got all five", Duration.ofSeconds(10), () -> healthy.acceptedFor(user.toString()).size() == 5);
        assertFalse(hanging.receivedFor(user.toString()).isEmpty(), "the hanging receiver was called too");
        assertTrue(hanging.acceptedFor(user.toString()).isEmpty());
        assertTrue(System.nanoTime() - started < Duration.ofSeconds(8).toNanos());
        await("the hanging attempt timed out and was logged", Duration.ofSeconds(10), () -> Database.queryLong("""
                SELECT count(*) FROM webhook_attempts a JOIN webhook_deliveries d ON d.id = a.delivery_id
                WHERE d.endpoint_id = ?::uuid AND d.user_id = ? AND a.error LIKE 'no answer within%'""", stuck, user) >= 1);
        // the backlog of the stuck endpoint shows on the metric
        await("backlog age reported", Duration.ofSeconds(10),
                () -> Metrics.sum("genledger_webhook_backlog_age_seconds", "webhook=\"" + stuck + "\"") > 0);
    }

    @Test
    void redirectsAreNotFollowed() throws Exception {
        Receiver elsewhere = receiver(x -> Receiver.Answer.OK);
        Receiver redirecting = receiver(x -> new Receiver.Answer(307, 0, false));
        endpoint(redirecting);
        UUID user = newUser();
        grant(user, 1);
        await("tried", Duration.ofSeconds(10), () -> redirecting.receivedFor(user.toString()).size() >= 2);
        assertTrue(elsewhere.received().isEmpty());
        assertEquals(0, Database.queryLong("SELECT count(*) FROM webhook_deliveries WHERE user_id = ? AND status = 'DELIVERED'", user));
    }

    @Test
    void aRotatedSecretSignsBesideTheOldOneUntilTheOverlapEnds() throws Exception {
        Receiver r = receiver(x -> Receiver.Answer.OK);
        String endpoint = endpoint(r);
        String next = asAdmin().body(Map.of("rotateSecret", true)).patch("/v1/admin/webhooks/{id}", endpoint).then()
                .statusCode(200).body("previousSecretValidUntil", org.hamcrest.Matchers.notNullValue())
                .extract().path("secret");
        asAdmin().get("/v1/admin/webhooks/{id}", endpoint).then().statusCode(200).body("secret", nullValue());
        UUID user = newUser();
        grant(user, 1);
        await("delivered", Duration.ofSeconds(10), () -> !r.acceptedFor(user.toString()).isEmpty());
        Receiver.Received got = r.acceptedFor(user.toString()).getFirst();
        assertEquals(2, got.signature().split(" ").length);
        assertTrue(StandardWebhooksVerifier.verify(next, got.id(), got.timestamp(), got.body(), got.signature()));
        assertTrue(StandardWebhooksVerifier.verify(SECRET, got.id(), got.timestamp(), got.body(), got.signature()));

        Database.execute("UPDATE webhook_endpoints SET previous_secret_until = now() - interval '1 second' WHERE id = ?::uuid", endpoint);
        grant(user, 1);
        await("delivered", Duration.ofSeconds(10), () -> r.acceptedFor(user.toString()).size() == 2);
        Receiver.Received later = r.acceptedFor(user.toString()).get(1);
        assertEquals(1, later.signature().split(" ").length);
        assertFalse(StandardWebhooksVerifier.verify(SECRET, later.id(), later.timestamp(), later.body(), later.signature()));
    }

    @Test
    void aSecretIsStoredEncryptedAndOnlyItsOwnEndpointSignsWithIt() throws Exception {
        Receiver a = receiver(x -> Receiver.Answer.OK);
        Receiver b = receiver(x -> Receiver.Answer.OK);
        String first = endpoint(a);
        String second = asAdmin().body(Receiver.endpoint(b.url(), "whsec_" + java.util.Base64.getEncoder()
                .encodeToString(new byte[32]))).post("/v1/admin/webhooks").then().statusCode(201).extract().path("id");
        endpoints.add(second);
        assertEquals(1, Database.queryLong("SELECT count(*) FROM webhook_endpoints WHERE id = ?::uuid AND secret LIKE 'gcm1:%'"
                + " AND position(? IN secret) = 0", first, SECRET.substring("whsec_".length())), "stored encrypted");

        // the first endpoint's stored secret, moved to the second, does not open there: nothing is sent unsigned
        Database.execute("UPDATE webhook_endpoints SET secret = (SELECT secret FROM webhook_endpoints WHERE id = ?::uuid)"
                + " WHERE id = ?::uuid", first, second);
        UUID user = newUser();
        grant(user, 5);
        await("delivered to the first endpoint", Duration.ofSeconds(10), () -> !a.acceptedFor(user.toString()).isEmpty());
        Receiver.Received got = a.acceptedFor(user.toString()).getFirst();
        assertTrue(StandardWebhooksVerifier.verify(SECRET, got.id(), got.timestamp(), got.body(), got.signature()));
        Thread.sleep(2000);
        assertEquals(List.of(), b.acceptedFor(user.toString()), "the second endpoint gets nothing");
    }

    @Test
    void aSecretStoredBeforeTheKeyIsEncryptedAtStartAndStillSigns() throws Exception {
        Receiver r = receiver(x -> Receiver.Answer.OK);
        String endpoint = endpoint(r);
        Database.execute("UPDATE webhook_endpoints SET secret = ?, enabled = false WHERE id = ?::uuid", SECRET, endpoint);
        assertEquals(1, Database.queryLong("SELECT count(*) FROM webhook_endpoints WHERE id = ?::uuid AND secret = ?",
                endpoint, SECRET));
        long plain = Database.queryLong("SELECT count(*) FROM webhook_endpoints WHERE secret NOT LIKE 'gcm1:%'");
        assertEquals(plain, service.reseal());
        assertEquals(1, Database.queryLong("SELECT count(*) FROM webhook_endpoints WHERE id = ?::uuid AND secret LIKE 'gcm1:%'",
                endpoint));
        assertEquals(0, service.reseal(), "what is encrypted under the first key stays as it is");
        Database.execute("UPDATE webhook_endpoints SET enabled = true WHERE id = ?::uuid", endpoint);
        UUID user = newUser();
        grant(user, 5);
        await("delivered", Duration.ofSeconds(10), () -> !r.acceptedFor(user.toString()).isEmpty());
        Receiver.Received got = r.acceptedFor(user.toString()).getFirst();
        assertTrue(StandardWebhooksVerifier.verify(SECRET, got.id(), got.timestamp(), got.body(), got.signature()));
    }

    @Test
    void endpointsAreManagedByAdminsAndBadOnesAreProblems() {
        String id = asAdmin().body(Map.of("url", "http://127.0.0.1:9/hook", "eventTypes", List.of("job.failed")))
                .post("/v1/admin/webhooks").then().statusCode(201)
                .body("secret", org.hamcrest.Matchers.startsWith("whsec_")).body("enabled", equalTo(true))
                .extract().path("id");
        endpoints.add(id);
        asAdmin().get("/v1/admin/webhooks").then().statusCode(200).body("find { it.id == '" + id + "' }.eventTypes",
                equalTo(List.of("job.failed")));
        asAdmin().body(Map.of("enabled", false, "eventTypes", List.of())).patch("/v1/admin/webhooks/{id}", id).then()
                .statusCode(200).body("enabled", equalTo(false)).body("eventTypes", equalTo(List.of()));
        for (Map<String, Object> bad : List.of(Map.<String, Object>of("url", "file:///etc/passwd"),
                Map.<String, Object>of("url", "http://127.0.0.1/", "eventTypes", List.of("credits.stolen")),
                Map.<String, Object>of("url", "http://127.0.0.1/", "secret", "not-a-secret"),
                Map.<String, Object>of("url", "http://127.0.0.1/", "colour", "red"))) {
            asAdmin().body(bad).post("/v1/admin/webhooks").then().statusCode(400).contentType("application/problem+json");
        }
        asService().body(Map.of("url", "http://127.0.0.1/")).post("/v1/admin/webhooks").then().statusCode(403);
        asAdmin().delete("/v1/admin/webhooks/{id}", id).then().statusCode(204);
        asAdmin().get("/v1/admin/webhooks/{id}", id).then().statusCode(404);
    }

    @Test
    void everyEventWrittenIsCounted() throws Exception {
        UUID user = newUser();
        Thread.sleep(1500);
        double before = Metrics.sum("genledger_events_written_total", "type=\"credits.granted\"");
        grant(user, 100);
        grant(user, 100);
        await("two grants counted", Duration.ofSeconds(10),
                () -> Metrics.sum("genledger_events_written_total", "type=\"credits.granted\"") >= before + 2);
    }
}
