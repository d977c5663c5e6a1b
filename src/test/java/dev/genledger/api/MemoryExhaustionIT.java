package dev.genledger.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import dev.genledger.support.PackagedApp;
import dev.genledger.support.Tokens;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

/**
 * The attack of issue 10 against the packaged jar with a 256 MiB heap: 30 parallel 10 MB bodies
 * and 250 parallel 1 MB bodies without a token, then the same with a valid token over the routes'
 * limits. Before the fix the bodies were buffered before the token was checked and the JVM ran
 * out of memory. Now every one is answered 401 or 413, the process lives, and a user's requests
 * sent meanwhile are all served.
 */
@Tag("packaged-jar")
class MemoryExhaustionIT {

    private static EmbeddedPostgres pg;

    @BeforeAll
    static void database() throws Exception {
        pg = PackagedApp.database();
    }

    @AfterAll
    static void stopDatabase() throws Exception {
        pg.close();
    }

    @Test
    void bodiesWithoutAValidTokenOrOverTheLimitAreRefusedWithoutExhaustingTheHeap() throws Exception {
        Map<String, String> env = PackagedApp.prodEnvironment("jdbc:postgresql://localhost:" + pg.getPort() + "/postgres");
        try (PackagedApp app = PackagedApp.start(PackagedApp.JAR, "memory-exhaustion-it", env,
                "-Xmx256m", "-XX:+ExitOnOutOfMemoryError");
                ExecutorService pool = Executors.newFixedThreadPool(16)) {
            app.awaitReady(90_000);
            HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).executor(pool)
                    .connectTimeout(Duration.ofSeconds(10)).build();
            String base = "http://localhost:" + app.http;
            String service = Tokens.service();
            String user = created(client, base, service);
            String userToken = Tokens.user(UUID.fromString(user));

            AtomicBoolean attacking = new AtomicBoolean(true);
            Map<Integer, AtomicInteger> victim = new ConcurrentHashMap<>();
            CompletableFuture<Void> served = CompletableFuture.runAsync(() -> {
                while (attacking.get()) {
                    victim.computeIfAbsent(status(client, get(base + "/v1/users/" + user + "/balance", userToken)),
                            s -> new AtomicInteger()).incrementAndGet();
                    victim.computeIfAbsent(status(client, post(base + "/v1/users/" + user + "/credits/grant", service,
                            "{\"amount\":1,\"reason\":\"during the attack\"}".getBytes())), s -> new AtomicInteger())
                            .incrementAndGet();
                }
            });

            byte[] tenMegabytes = new byte[10_000_000];
            byte[] oneMegabyte = new byte[1_000_000];
            List<CompletableFuture<Integer>> attack = new ArrayList<>();
            for (int i = 0; i < 30; i++) {
                attack.add(send(client, post(base + "/v1/users", null, tenMegabytes)));
            }
            for (int i = 0; i < 250; i++) {
                attack.add(send(client, post(base + "/v1/users/" + user + "/quizzes", null, oneMegabyte)));
            }
            Map<Integer, Integer> anonymous = tally(attack);
            assertEquals(Map.of(401, 280), anonymous, "every body without a token is refused");

            attack.clear();
            for (int i = 0; i < 30; i++) {
                attack.add(send(client, post(base + "/v1/users/" + user + "/quizzes", userToken, tenMegabytes)));
            }
            for (int i = 0; i < 250; i++) {
                attack.add(send(client, post(base + "/v1/users/" + user + "/credits/spend", userToken, oneMegabyte)));
            }
            Map<Integer, Integer> oversized = tally(attack);
            assertEquals(Map.of(413, 280), oversized, "every body over its route's limit is refused");

            attacking.set(false);
            served.get(30, TimeUnit.SECONDS);
            assertTrue(app.isAlive(), "the process survived");
            Map<Integer, Integer> victimStatuses = plain(victim);
            assertEquals(Set.of(200, 201), victimStatuses.keySet(),
                    "every request of the user was served meanwhile: " + victimStatuses);
            assertEquals(201, status(client, post(base + "/v1/users/" + user + "/credits/grant", service,
                    "{\"amount\":1,\"reason\":\"after the attack\"}".getBytes())));
            assertFalse(app.logText().contains("OutOfMemoryError"), "no OutOfMemoryError");
        }
    }

    private static String created(HttpClient client, String base, String token) throws Exception {
        HttpResponse<String> r = client.send(post(base + "/v1/users", token,
                ("{\"email\":\"victim-" + UUID.randomUUID() + "@example.com\"}").getBytes()),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(201, r.statusCode(), r.body());
        return r.body().replaceAll(".*\"id\":\"([^\"]+)\".*", "$1");
    }

    private static HttpRequest post(String uri, String token, byte[] body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(uri)).timeout(Duration.ofSeconds(60))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofByteArray(body));
        return token == null ? b.build() : b.header("Authorization", "Bearer " + token).build();
    }

    private static HttpRequest get(String uri, String token) {
        return HttpRequest.newBuilder(URI.create(uri)).timeout(Duration.ofSeconds(60))
                .header("Authorization", "Bearer " + token).GET().build();
    }

    private static CompletableFuture<Integer> send(HttpClient client, HttpRequest request) {
        return client.sendAsync(request, HttpResponse.BodyHandlers.discarding()).thenApply(HttpResponse::statusCode)
                .exceptionally(failure -> -1);
    }

    private static int status(HttpClient client, HttpRequest request) {
        return send(client, request).join();
    }

    private static Map<Integer, Integer> tally(List<CompletableFuture<Integer>> requests) {
        Map<Integer, Integer> counts = new TreeMap<>();
        for (CompletableFuture<Integer> r : requests) {
            counts.merge(r.join(), 1, Integer::sum);
        }
        return counts;
    }

    private static Map<Integer, Integer> plain(Map<Integer, AtomicInteger> counts) {
        Map<Integer, Integer> out = new TreeMap<>();
        counts.forEach((k, v) -> out.put(k, v.get()));
        return out;
    }
}
