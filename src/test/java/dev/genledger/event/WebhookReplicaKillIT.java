package dev.genledger.event;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.genledger.support.PackagedApp;
import dev.genledger.support.ReplicaDatabase;
import dev.genledger.support.Tokens;

/**
 * Webhook delivery by two replicas of the packaged application on one database, one of them
 * SIGKILLed while it holds deliveries to a receiver that hangs on purpose. Each replica sends at
 * most {@link #SLOTS} requests to the endpoint at a time, so once the receiver holds twice that
 * many unanswered, each replica holds exactly {@link #SLOTS} of them: the killed replica's are
 * sent again by the survivor when their lease runs out, the survivor's own time out and are
 * retried. Afterwards every committed event was accepted exactly once, each user's in order,
 * every signature verifies, nothing is pending, and the only events sent twice are the hanging
 * ones, the killed replica's among them reclaimed only after their lease. Runs after packaging:
 * {@code ./mvnw verify -Pops-it}.
 */
class WebhookReplicaKillIT {

    private static final String SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    private static final String SECRET_KEY = "6yQHcbv2fLgPKd0p3bmXr6P8GkQhO1v9e2rT4uAZk0s=";
    private static final int USERS = 8;
    private static final int SLOTS = 2;
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(15);
    private static final Duration LEASE = Duration.ofSeconds(20);
    private static final Pattern ID = Pattern.compile("\"id\":\"([0-9a-f-]{36})\"");

    private static ReplicaDatabase db;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @BeforeAll
    static void database() throws Exception {
        db = ReplicaDatabase.start();
    }

    @AfterAll
    static void stopDatabase() throws Exception {
        db.close();
    }

    private static PackagedApp replica(String name) throws Exception {
        Map<String, String> env = PackagedApp.prodEnvironment(db.urlFor(name));
        env.put("GENLEDGER_WEBHOOKS_ALLOW_PRIVATE_TARGETS", "true"); // the receiver listens on 127.0.0.1
        env.put("GENLEDGER_WEBHOOKS_POLL_EVERY", "0.5s");
        env.put("GENLEDGER_WEBHOOKS_REQUEST_TIMEOUT", REQUEST_TIMEOUT.toSeconds() + "s");
        env.put("GENLEDGER_WEBHOOKS_LEASE", LEASE.toSeconds() + "s");
        env.put("GENLEDGER_WEBHOOKS_RETRY_BASE_DELAY", "200ms");
        env.put("GENLEDGER_WEBHOOKS_RETRY_MAX_DELAY", "1s");
        env.put("GENLEDGER_WEBHOOKS_CONCURRENCY_PER_ENDPOINT", Integer.toString(SLOTS));
        // Both replicas open the secret that either stored.
        env.put("GENLEDGER_WEBHOOKS_SECRET_KEYS", SECRET_KEY);
        return PackagedApp.start(PackagedApp.JAR, "webhook-replica-kill-" + name, env);
    }

    /** Sends a request that must succeed, and returns the answer's body. */
    private String post(PackagedApp app, String bearer, String path, String json, String key) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://localhost:" + app.http + path))
                .timeout(Duration.ofSeconds(20)).header("Authorization", "Bearer " + bearer)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json));
        if (key != null) {
            b.header("Idempotency-Key", key);
        }
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString(UTF_8));
        assertEquals(2, r.statusCode() / 100, path + ": " + r.body());
        return r.body();
    }

    private static String id(String body) {
        Matcher m = ID.matcher(body);
        assertTrue(m.find(), body);
        return m.group(1);
    }

    /**
     * Every user, concurrently, does {@code steps} operations through the given replicas in turn:
     * spends of 7 and grants of 6 after a first grant of 20, so that available credits cross the
     * low threshold (10) both ways and the events are of several kinds.
     */
    private void load(List<String> users, List<PackagedApp> through, int from, int steps) throws Exception {
        ExecutorService clients = Executors.newFixedThreadPool(users.size());
        try {
            List<Future<?>> running = new ArrayList<>();
            for (int u = 0; u < users.size(); u++) {
                String user = users.get(u);
                int offset = u;
                running.add(clients.submit(() -> {
                    for (int n = from; n < from + steps; n++) {
                        PackagedApp app = through.get((offset + n) % through.size());
                        String key = "load-" + user + "-" + n;
                        if (n == 0) {
                            post(app, Tokens.service(), "/v1/users/" + user + "/credits/grant",
                                    "{\"amount\":20,\"reason\":\"setup\"}", key);
                        } else if (n % 2 == 1) {
                            post(app, Tokens.service(), "/v1/users/" + user + "/credits/spend",
                                    "{\"amount\":7,\"reason\":\"load\"}", key);
                        } else {
                            post(app, Tokens.service(), "/v1/users/" + user + "/credits/grant",
                                    "{\"amount\":6,\"reason\":\"load\"}", key);
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : running) {
                f.get(120, TimeUnit.SECONDS);
            }
        } finally {
            clients.shutdown();
        }
    }

    private static void await(String what, Duration within, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + within + ": " + what);
            }
            Thread.sleep(50);
        }
    }

    /** The committed events, per user in the order the outbox gives them (xid, id). */
    private static Map<String, List<Long>> eventsByUser() throws Exception {
        Map<String, List<Long>> byUser = new HashMap<>();
        try (Connection c = db.connect(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT user_id, id FROM events ORDER BY xid, id")) {
            while (rs.next()) {
                byUser.computeIfAbsent(rs.getString(1), k -> new ArrayList<>()).add(rs.getLong(2));
            }
        }
        return byUser;
    }

    /** The delivery's attempts as the log holds them: worker, status code, when. */
    private record Attempt(long eventId, String worker, Integer statusCode, Timestamp at) {
    }

    private static Map<Long, List<Attempt>> attemptsByEvent() throws Exception {
        Map<Long, List<Attempt>> byEvent = new HashMap<>();
        try (Connection c = db.connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
                "SELECT d.event_id, a.worker, a.status_code, a.at FROM webhook_attempts a"
                        + " JOIN webhook_deliveries d ON d.id = a.delivery_id ORDER BY a.delivery_id, a.attempt")) {
            while (rs.next()) {
                long event = rs.getLong(1);
                byEvent.computeIfAbsent(event, k -> new ArrayList<>())
                        .add(new Attempt(event, rs.getString(2), (Integer) rs.getObject(3), rs.getTimestamp(4)));
            }
        }
        return byEvent;
    }

    @Test
    void twoReplicasDeliverEachEventOnceAndAReplicaKilledMidDeliveryLosesNothing() throws Exception {
        List<Receiver.Received> badSignatures = new CopyOnWriteArrayList<>();
        List<Receiver.Received> hung = new CopyOnWriteArrayList<>();
        AtomicBoolean hanging = new AtomicBoolean(false);
        List<PackagedApp> replicas = new ArrayList<>();
        try (Receiver receiver = new Receiver(r -> {
            // checked on arrival: the specification's timestamp tolerance is five minutes
            if (!StandardWebhooksVerifier.verify(SECRET, r.id(), r.timestamp(), r.body(), r.signature())
                    || !r.id().equals(Long.toString(r.eventId()))) {
                badSignatures.add(r);
            }
            if (hanging.get()) {
                hung.add(r);
                return Receiver.Answer.HANG;
            }
            return Receiver.Answer.slow(10);
        })) {
            for (String name : List.of("a", "b")) {
                PackagedApp app = replica(name);
                replicas.add(app);
                app.awaitReady(90_000); // one after the other: the first migrates
            }
            PackagedApp a = replicas.get(0);
            PackagedApp b = replicas.get(1);
            post(a, Tokens.admin(), "/v1/admin/webhooks", "{\"url\":\"" + receiver.url() + "\",\"secret\":\"" + SECRET
                    + "\",\"eventTypes\":[]}", null);
            List<String> users = new ArrayList<>();
            for (int i = 0; i < USERS; i++) {
                users.add(id(post(replicas.get(i % 2), Tokens.service(), "/v1/users",
                        "{\"email\":\"hook-kill-" + UUID.randomUUID() + "@example.com\"}", null)));
            }

            // Both replicas take requests and deliver, the receiver answering at once.
            load(users, replicas, 0, 8);
            long firstEvents = db.count("SELECT count(*) FROM events");
            await("the first " + firstEvents + " events delivered", Duration.ofSeconds(90),
                    () -> db.count("SELECT count(*) FROM webhook_deliveries WHERE status = 'DELIVERED'") == firstEvents);
            assertEquals(2, db.count("SELECT count(DISTINCT worker) FROM webhook_attempts"), "both replicas delivered");

            // The receiver stops answering: each replica fills its slots with requests that hang.
            hanging.set(true);
            load(users, replicas, 8, 2);
            await(2 * SLOTS + " requests hanging", Duration.ofSeconds(10), () -> hung.size() >= 2 * SLOTS);
            Map<Long, Timestamp> leasedUntil = new HashMap<>();
            try (Connection c = db.connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
                    "SELECT event_id, leased_until FROM webhook_deliveries WHERE status = 'PENDING' AND lease IS NOT NULL")) {
                while (rs.next()) {
                    leasedUntil.put(rs.getLong(1), rs.getTimestamp(2));
                }
            }
            a.close(); // SIGKILL, with its slots full of requests the receiver has not answered
            assertFalse(a.isAlive());
            long hungFor = (System.nanoTime() - hung.getFirst().atNanos()) / 1_000_000;
            assertTrue(hungFor < REQUEST_TIMEOUT.toMillis(), "no hanging request timed out before the kill (" + hungFor
                    + " ms): each replica held " + SLOTS + " of them");
            hanging.set(false);
            Set<Long> hungEvents = hung.stream().map(Receiver.Received::eventId).collect(Collectors.toSet());
            assertEquals(2 * SLOTS, hung.size(), "each replica holds at most " + SLOTS + " requests");
            assertEquals(hungEvents, leasedUntil.keySet(), "the leased deliveries are the hanging ones");
            Timestamp killedAt;
            try (Connection c = db.connect(); Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery("SELECT now()")) {
                rs.next();
                killedAt = rs.getTimestamp(1);
            }

            // Events committed after the kill, through the survivor.
            load(users, List.of(b), 10, 2);
            long events = db.count("SELECT count(*) FROM events");
            await("all " + events + " events delivered", Duration.ofSeconds(90),
                    () -> db.count("SELECT count(*) FROM webhook_deliveries WHERE status <> 'PENDING'") == events);
            Thread.sleep(1_000); // a duplicate would arrive now

            assertEquals(events, db.count("SELECT count(*) FROM webhook_deliveries"), "one delivery per event");
            assertEquals(events, db.count("SELECT count(*) FROM webhook_deliveries WHERE status = 'DELIVERED'"),
                    "none dead-lettered, none pending");
            assertEquals(List.of(), badSignatures, "every signature verifies with the endpoint's secret");

            Map<String, List<Long>> committed = eventsByUser();
            List<Long> accepted = receiver.accepted().stream().map(Receiver.Received::eventId).toList();
            assertEquals(accepted.size(), Set.copyOf(accepted).size(), "no event accepted twice: " + accepted);
            assertEquals(committed.values().stream().flatMap(List::stream).collect(Collectors.toSet()), Set.copyOf(accepted),
                    "every committed event accepted, none lost");
            assertEquals(events, accepted.size());
            assertEquals(USERS, committed.size());
            for (Map.Entry<String, List<Long>> user : committed.entrySet()) {
                List<Long> expected = user.getValue();
                for (int i = 1; i < expected.size(); i++) {
                    assertTrue(expected.get(i) > expected.get(i - 1), "event ids increase per user: " + expected);
                }
                assertEquals(expected, receiver.acceptedFor(user.getKey()).stream().map(Receiver.Received::eventId).toList(),
                        "user " + user.getKey() + ": accepted in order");
                assertEquals(expected, List.copyOf(receiver.receivedFor(user.getKey()).stream()
                        .map(Receiver.Received::eventId).collect(Collectors.toCollection(LinkedHashSet::new))),
                        "user " + user.getKey() + ": first sent in order");
            }

            // Sent twice: the hanging events, and only they, twice each (unanswered, then accepted).
            Map<Long, Long> sends = receiver.received().stream()
                    .collect(Collectors.groupingBy(Receiver.Received::eventId, Collectors.counting()));
            assertEquals(hungEvents, sends.entrySet().stream().filter(e -> e.getValue() > 1).map(Map.Entry::getKey)
                    .collect(Collectors.toSet()), "only the hanging events were sent more than once");
            assertTrue(hungEvents.stream().allMatch(e -> sends.get(e) == 2), "each hanging event sent twice: " + sends);
            assertEquals(events + 2 * SLOTS, receiver.received().size());

            // The log tells the two halves apart: the survivor's hanging requests timed out and were
            // retried; the killed replica's recorded nothing and went out again after their lease.
            Map<Long, List<Attempt>> attempts = attemptsByEvent();
            Set<String> survivor = attempts.values().stream().flatMap(List::stream)
                    .filter(x -> x.at().after(killedAt)).map(Attempt::worker).collect(Collectors.toSet());
            assertEquals(1, survivor.size(), "only the survivor delivered after the kill: " + survivor);
            List<Long> killedInFlight = new ArrayList<>();
            List<Long> timedOut = new ArrayList<>();
            for (long event : hungEvents) {
                List<Attempt> log = attempts.get(event);
                assertTrue(log.stream().allMatch(x -> survivor.contains(x.worker())), "recorded by the survivor: " + log);
                if (log.size() == 1) {
                    killedInFlight.add(event);
                    assertFalse(log.getFirst().at().before(leasedUntil.get(event)),
                            "sent again only once the killed replica's lease ran out: " + log);
                } else {
                    timedOut.add(event);
                    assertEquals(2, log.size(), log.toString());
                    assertNull(log.getFirst().statusCode(), "no answer: " + log);
                }
                assertEquals(Integer.valueOf(200), log.getLast().statusCode(), "accepted at last: " + log);
            }
            assertEquals(SLOTS, killedInFlight.size(), "the killed replica held " + SLOTS + " of the hanging requests");
            assertEquals(SLOTS, timedOut.size());
            attempts.forEach((event, log) -> {
                if (!hungEvents.contains(event)) {
                    assertEquals(1, log.size(), "event " + event + " attempted once: " + log);
                }
            });
            System.out.printf("webhooks: %d events for %d users, %d accepted once each, %d requests in all; "
                    + "%d hanging at the kill: %d of the killed replica's sent again after the lease, %d of the "
                    + "survivor's timed out and retried%n", events, USERS, accepted.size(), receiver.received().size(),
                    hung.size(), killedInFlight.size(), timedOut.size());
        } finally {
            replicas.forEach(PackagedApp::close);
        }
    }
}
