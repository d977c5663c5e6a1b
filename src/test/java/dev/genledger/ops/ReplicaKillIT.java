package dev.genledger.ops;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.genledger.support.PackagedApp;
import dev.genledger.support.ReplicaDatabase;
import dev.genledger.support.Tokens;

/**
 * SIGKILL of one of two replicas of the packaged application on one database, under a keyed load
 * of spends, grants, transfers and jobs (create, start, succeed or fail). A request that got no
 * answer is sent again, with the same key, to the other replica, as a client behind a balancer
 * would, until it is answered. Afterwards the database holds every operation exactly once: each
 * user's balance is what the operations add up to, each job has one hold settled the way the job
 * ended, and reconciliation is clean. Runs after packaging: {@code ./mvnw verify -Pops-it}.
 */
class ReplicaKillIT {

    private static final int USERS = 8;
    private static final long START_BALANCE = 1_000_000;
    private static final Pattern ID = Pattern.compile("\"id\":\"([0-9a-f-]{36})\"");
    private static final Pattern STATUS = Pattern.compile("\"status\":\"([A-Z]+)\"");

    private static ReplicaDatabase db;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final String token = Tokens.service();
    private final List<PackagedApp> replicas = new ArrayList<>();
    private final List<AtomicBoolean> alive = List.of(new AtomicBoolean(true), new AtomicBoolean(true));
    private final AtomicInteger resent = new AtomicInteger();

    @BeforeAll
    static void database() throws Exception {
        db = ReplicaDatabase.start();
    }

    @AfterAll
    static void stopDatabase() throws Exception {
        db.close();
    }

    /** One answered request: its status and body. */
    private record Answer(int status, String body) {
    }

    private Answer send(int replica, String method, String path, String body, String key) throws IOException, InterruptedException {
        return send(replica, token, method, path, body, key);
    }

    private Answer send(int replica, String bearer, String method, String path, String body, String key)
            throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://localhost:" + replicas.get(replica).http + path))
                .timeout(Duration.ofSeconds(10)).header("Authorization", "Bearer " + bearer)
                .header("Content-Type", "application/json");
        if (key != null) {
            b.header("Idempotency-Key", key);
        }
        HttpResponse<String> r = http.send(b.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString(UTF_8));
        return new Answer(r.statusCode(), r.body());
    }

    /**
     * Sends until a replica answers with a final status: a lost connection or a 5xx is sent again,
     * same key, to the next live replica. {@code done} says whether an answer is final.
     */
    private Answer untilAnswered(int preferred, String method, String path, String body, String key,
            java.util.function.Predicate<Answer> done) throws InterruptedException {
        long deadline = System.nanoTime() + 60_000_000_000L;
        int replica = preferred;
        while (System.nanoTime() < deadline) {
            if (!alive.get(replica).get()) {
                replica = 1 - replica;
            }
            try {
                Answer a = send(replica, method, path, body, key);
                if (done.test(a)) {
                    return a;
                }
            } catch (IOException lost) {
                // no answer: whether it was applied is unknown, so it is sent again
            }
            resent.incrementAndGet();
            replica = 1 - replica;
            Thread.sleep(20);
        }
        throw new AssertionError(method + " " + path + " (key " + key + ") was never answered");
    }

    private static boolean success(Answer a) {
        return a.status() / 100 == 2;
    }

    /** A job transition answered, or (sent again after a lost answer) already made. */
    private Answer transition(int preferred, String jobId, String step, String body, String status)
            throws InterruptedException {
        return untilAnswered(preferred, "POST", "/v1/jobs/" + jobId + "/" + step, body, null, a -> success(a)
                || a.status() == 409 && status.equals(jobStatus(jobId)));
    }

    private String jobStatus(String jobId) {
        try (Connection c = db.connect(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT status FROM generation_jobs WHERE id = '" + UUID.fromString(jobId) + "'")) {
            return rs.next() ? rs.getString(1) : null;
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    /** Waits (the machine may be slow) until the load has done this many operations. */
    private static void awaitOperations(AtomicInteger operations, int count) throws InterruptedException {
        long deadline = System.nanoTime() + 120_000_000_000L;
        while (operations.get() < count) {
            assertTrue(System.nanoTime() < deadline, "the load did only " + operations.get() + " operations");
            Thread.sleep(50);
        }
    }

    private static String match(Pattern p, String body) {
        Matcher m = p.matcher(body);
        assertTrue(m.find(), body);
        return m.group(1);
    }

    @Test
    void nothingAcknowledgedIsLostAndNothingIsAppliedTwiceWhenAReplicaIsKilledMidLoad() throws Exception {
        try {
            for (String name : List.of("replica-kill-a", "replica-kill-b")) {
                PackagedApp app = PackagedApp.start(PackagedApp.JAR, name, PackagedApp.prodEnvironment(db.url()));
                replicas.add(app);
                app.awaitReady(90_000); // one after the other: the first migrates
            }
            List<String> users = new ArrayList<>();
            for (int i = 0; i < USERS; i++) {
                String id = match(ID, untilAnswered(i % 2, "POST", "/v1/users",
                        "{\"email\":\"kill-" + UUID.randomUUID() + "@example.com\"}", null, ReplicaKillIT::success).body());
                untilAnswered(i % 2, "POST", "/v1/users/" + id + "/credits/grant",
                        "{\"amount\":" + START_BALANCE + ",\"reason\":\"setup\"}", "setup-" + id, ReplicaKillIT::success);
                users.add(id);
            }

            // What the operations add to each user's balance, and how each job ended.
            Map<String, AtomicLong> expected = new ConcurrentHashMap<>();
            users.forEach(u -> expected.put(u, new AtomicLong(START_BALANCE)));
            Map<String, String> jobs = new ConcurrentHashMap<>();
            AtomicBoolean loading = new AtomicBoolean(true);
            AtomicInteger operations = new AtomicInteger();
            ExecutorService clients = Executors.newFixedThreadPool(8);
            List<Future<?>> running = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                int client = t;
                running.add(clients.submit(() -> {
                    for (int n = 0; loading.get() || n < 20; n++) {
                        ThreadLocalRandom random = ThreadLocalRandom.current();
                        String user = users.get(random.nextInt(USERS));
                        String key = "c" + client + "-" + n;
                        int preferred = random.nextInt(2);
                        switch (n % 4) {
                            case 0 -> {
                                untilAnswered(preferred, "POST", "/v1/users/" + user + "/credits/spend",
                                        "{\"amount\":3,\"reason\":\"load\"}", key, ReplicaKillIT::success);
                                expected.get(user).addAndGet(-3);
                            }
                            case 1 -> {
                                untilAnswered(preferred, "POST", "/v1/users/" + user + "/credits/grant",
                                        "{\"amount\":5,\"reason\":\"load\"}", key, ReplicaKillIT::success);
                                expected.get(user).addAndGet(5);
                            }
                            case 2 -> {
                                String to = users.get((users.indexOf(user) + 1 + random.nextInt(USERS - 1)) % USERS);
                                untilAnswered(preferred, "POST", "/v1/transfers", "{\"fromUserId\":\"" + user
                                        + "\",\"toUserId\":\"" + to + "\",\"amount\":7,\"reason\":\"load\"}", key,
                                        ReplicaKillIT::success);
                                expected.get(user).addAndGet(-7);
                                expected.get(to).addAndGet(7);
                            }
                            default -> {
                                String job = match(ID, untilAnswered(preferred, "POST", "/v1/users/" + user + "/jobs",
                                        "{\"jobKey\":\"" + key + "\",\"kind\":\"quiz\",\"cost\":11}", null,
                                        ReplicaKillIT::success).body());
                                transition(preferred, job, "start", null, "RUNNING");
                                boolean succeeds = random.nextBoolean();
                                if (succeeds) {
                                    transition(preferred, job, "succeed", "{\"resultRef\":\"r-" + key + "\"}", "SUCCEEDED");
                                    expected.get(user).addAndGet(-11);
                                } else {
                                    transition(preferred, job, "fail", "{\"error\":\"load\"}", "FAILED");
                                }
                                jobs.put(job, succeeds ? "SUCCEEDED" : "FAILED");
                            }
                        }
                        operations.incrementAndGet();
                    }
                    return null;
                }));
            }
            awaitOperations(operations, 40);
            int beforeKill = operations.get();
            alive.get(0).set(false);
            replicas.get(0).close(); // SIGKILL, mid-load
            assertFalse(replicas.get(0).isAlive());
            awaitOperations(operations, beforeKill + 40);
            loading.set(false);
            for (Future<?> f : running) {
                f.get(120, java.util.concurrent.TimeUnit.SECONDS);
            }
            clients.shutdown();
            assertTrue(resent.get() > 0, "the kill cost answers, which were sent again");

            try (Connection c = db.connect(); Statement s = c.createStatement()) {
                for (String user : users) {
                    try (ResultSet rs = s.executeQuery("SELECT balance, held FROM users WHERE id = '" + user + "'")) {
                        rs.next();
                        assertEquals(expected.get(user).get(), rs.getLong(1), "balance of " + user
                                + ": every operation applied once, none lost");
                        assertEquals(0, rs.getLong(2), "no credits held once every job ended");
                    }
                }
                for (Map.Entry<String, String> job : jobs.entrySet()) {
                    try (ResultSet rs = s.executeQuery("SELECT j.status, h.status, (SELECT count(*) FROM credit_ledger l"
                            + " WHERE l.id = h.ledger_id) FROM generation_jobs j JOIN credit_holds h ON h.job_id = j.id WHERE j.id = '"
                            + job.getKey() + "'")) {
                        assertTrue(rs.next(), "job " + job.getKey() + " has its hold");
                        assertEquals(job.getValue(), rs.getString(1));
                        assertEquals(job.getValue().equals("SUCCEEDED") ? "CAPTURED" : "RELEASED", rs.getString(2),
                                "the hold of job " + job.getKey() + " is settled the way the job ended");
                        assertEquals(job.getValue().equals("SUCCEEDED") ? 1 : 0, rs.getLong(3));
                        assertFalse(rs.next(), "one hold per job");
                    }
                }
                try (ResultSet rs = s.executeQuery("SELECT count(*) FROM credit_holds WHERE status = 'OPEN'")) {
                    rs.next();
                    assertEquals(0, rs.getLong(1), "no hold left open");
                }
                try (ResultSet rs = s.executeQuery("SELECT count(*) FROM credit_ledger WHERE kind = 'CAPTURE'")) {
                    rs.next();
                    assertEquals(jobs.values().stream().filter("SUCCEEDED"::equals).count(), rs.getLong(1),
                            "one capture per succeeded job, none twice");
                }
            }
            Answer recon = send(1, Tokens.admin(), "GET", "/v1/admin/reconciliation", null, null);
            assertEquals(200, recon.status(), recon.body());
            assertTrue(recon.body().contains("\"mismatches\":[]"), recon.body());
            System.out.printf("replica killed after %d operations; %d operations in all, %d jobs, %d requests sent again%n",
                    beforeKill, operations.get(), jobs.size(), resent.get());
        } finally {
            replicas.forEach(PackagedApp::close);
        }
    }
}
