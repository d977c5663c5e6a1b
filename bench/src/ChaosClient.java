import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAccumulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The chaos suite's client (run by bench/chaos.sh with the JDK's source launcher; the classpath is
 * the PostgreSQL driver and Jackson from target/quarkus-app/lib/main).
 *
 * <pre>
 *   setup --users=N --balance=B --out=FILE         create users through the API and grant them credits
 *   load  --users-file=FILE --seconds=S --clients=C --fault=NAME ...
 *         keyed operations; every acknowledged one (key -> response) is recorded, unacknowledged ones
 *         are retried with the same key; afterwards the ledger is checked for exactly-once, a sample
 *         of acknowledged operations is replayed (same body + Idempotent-Replayed), reconciliation
 *         and idle-in-transaction backends are checked. Prints one JSON line (RESULT {...}).
 *   fuzz  requests generated from /q/openapi: wrong types, missing fields, huge values, unicode,
 *         injection strings; zero 5xx, zero stack traces, zero data change from a rejected request.
 * </pre>
 * Common options: --base=http://127.0.0.1:PORT --token=... --admin-token=... --jdbc=jdbc:postgresql://...
 */
public class ChaosClient {

    static final ObjectMapper JSON = new ObjectMapper();
    static Map<String, String> opt;
    static HttpClient http;

    public static void main(String[] args) throws Exception {
        opt = new HashMap<>();
        for (String a : args) {
            if (a.startsWith("--")) {
                int eq = a.indexOf('=');
                opt.put(a.substring(2, eq), a.substring(eq + 1));
            }
        }
        http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(2))
                .executor(Executors.newVirtualThreadPerTaskExecutor()).build();
        switch (args[0]) {
            case "setup" -> setup();
            case "load" -> new Load().run();
            case "fuzz" -> new Fuzz().run();
            default -> throw new IllegalArgumentException("setup | load | fuzz");
        }
        System.exit(0);
    }

    static String o(String name, String dflt) {
        return opt.getOrDefault(name, dflt);
    }

    static String o(String name) {
        String v = opt.get(name);
        if (v == null) {
            throw new IllegalArgumentException("--" + name + " is required");
        }
        return v;
    }

    static HttpResponse<String> send(String method, String path, String body, String token, Map<String, String> headers,
            long timeoutMs) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(o("base") + path)).timeout(Duration.ofMillis(timeoutMs));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        headers.forEach(b::header);
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static Connection db() throws Exception {
        return DriverManager.getConnection(o("jdbc"), "genledger", "unused");
    }

    // ---------------------------------------------------------------------------------------------
    static void setup() throws Exception {
        int users = Integer.parseInt(o("users", "40"));
        long balance = Long.parseLong(o("balance", "1000000"));
        List<String> ids = new ArrayList<>();
        String token = o("token");
        for (int i = 0; i < users; i++) {
            HttpResponse<String> r = untilAnswered(() -> send("POST", "/v1/users",
                    "{\"email\":\"chaos-" + UUID.randomUUID() + "@example.com\"}", token, Map.of(), 10_000));
            if (r.statusCode() != 201) {
                throw new IllegalStateException("creating a user: " + r.statusCode() + " " + r.body());
            }
            String id = JSON.readTree(r.body()).get("id").asText();
            r = untilAnswered(() -> send("POST", "/v1/users/" + id + "/credits/grant",
                    "{\"amount\":" + balance + ",\"reason\":\"chaos seed\"}", token, Map.of("Idempotency-Key", "seed-" + id),
                    10_000));
            if (r.statusCode() != 201) {
                throw new IllegalStateException("granting: " + r.statusCode() + " " + r.body());
            }
            ids.add(id);
        }
        Files.write(Path.of(o("out")), ids);
        System.out.println("created " + users + " users");
    }

    interface Request {
        HttpResponse<String> send() throws Exception;
    }

    /**
     * Retries a 503 or no answer a few times: a freshly started service on a loaded machine may time
     * out its first requests. (A retried create may leave an extra user behind, which no check looks at.)
     */
    static HttpResponse<String> untilAnswered(Request request) throws Exception {
        for (int i = 0;; i++) {
            try {
                HttpResponse<String> r = request.send();
                if (r.statusCode() != 503 || i >= 10) {
                    return r;
                }
            } catch (java.io.IOException e) {
                if (i >= 10) {
                    throw e;
                }
            }
            sleep(1000);
        }
    }

    // ---------------------------------------------------------------------------------------------
    /** The operations the load sends. Credit operations leave a ledger row under their key; job ones do not. */
    enum Kind {
        SPEND, GRANT, REFUND, TRANSFER, JOB_CREATE, JOB_START, JOB_HEARTBEAT, JOB_SUCCEED, JOB_FAIL;

        boolean job() {
            return name().startsWith("JOB_");
        }
    }

    /** {@code job}: the job key of a create, the job id of a transition. */
    record Op(String key, Kind kind, String user, String path, String body, String job) {
    }

    enum Fate { ACKED, REJECTED, UNRESOLVED }

    /** {@code at}: when the answer came (epoch milliseconds). */
    record Outcome(Op op, Fate fate, int status, String body, long at) {
        Outcome(Op op, Fate fate, int status, String body) {
            this(op, fate, status, body, System.currentTimeMillis());
        }
    }

    static final class Load {
        static final String PROBLEM_TYPES = "https://genledger.dev/problems/";
        final String fault = o("fault", "none");
        final String prefix = "chaos-" + o("run-id", Long.toString(System.currentTimeMillis(), 36)) + "-" + fault + "-";
        final String token = o("token");
        final long deadlineMs = Long.parseLong(o("deadline-ms", "10000"));
        final List<String> users;
        final int hogUsers = Integer.parseInt(o("hog-users", "0"));
        final Map<String, Outcome> outcomes = new ConcurrentHashMap<>();
        final AtomicLong requests = new AtomicLong(), s2 = new AtomicLong(), s4 = new AtomicLong(),
                s503 = new AtomicLong(), s5other = new AtomicLong(), s5balancer = new AtomicLong(), ioErrors = new AtomicLong(), hung = new AtomicLong(),
                retried = new AtomicLong();
        final LongAccumulator maxLatency = new LongAccumulator(Math::max, 0);
        final LongAccumulator lastFailure = new LongAccumulator(Math::max, 0); // epoch ms of the last unanswered attempt
        final AtomicInteger seq = new AtomicInteger();
        final Map<String, AtomicLong> causes = new ConcurrentHashMap<>();
        // Every 4xx attempt by the problem type it answered (which rejections a fault brought).
        final Map<String, AtomicLong> problems4xx = new ConcurrentHashMap<>();
        // Acknowledged jobs waiting for their next step (ids): each is moved by one client at a time.
        final Queue<String> pendingJobs = new ConcurrentLinkedQueue<>(), runningJobs = new ConcurrentLinkedQueue<>();

        Load() throws Exception {
            users = Files.readAllLines(Path.of(o("users-file"))).stream().filter(s -> !s.isBlank()).toList();
        }

        /** The next operation of a client; hog clients only move credits between the first hogUsers users. */
        Op next(boolean hog) {
            ThreadLocalRandom r = ThreadLocalRandom.current();
            int lo = hog ? 0 : hogUsers, span = hog ? hogUsers : users.size() - hogUsers;
            String user = users.get(lo + r.nextInt(span));
            String key = prefix + seq.incrementAndGet();
            long amount = 1 + r.nextInt(5);
            int dice = hog ? 99 : r.nextInt(100);
            if (dice < 35) {
                return change(key, Kind.SPEND, user, amount);
            } else if (dice < 50) {
                // Half the grants are promotional lots that expire a few seconds on, within the run:
                // the service's expiry sweep (run often here) races the spends that draw them first.
                return r.nextBoolean() ? change(key, Kind.GRANT, user, amount)
                        : expiring(key, user, amount, Instant.now().plusMillis(6_000 + r.nextInt(4_000)));
            } else if (dice < 60) {
                return change(key, Kind.REFUND, user, amount);
            } else if (dice < 85) {
                // Jobs: a running one beats its heartbeat (1 in 4) or is settled (2 in 3 succeed,
                // capturing the hold, half of them only 1 credit of it; the rest fail, releasing it),
                // else a pending one is started, else one is created (its cost held for 2 minutes).
                String job = runningJobs.poll();
                if (job != null) {
                    return transition(key, r.nextInt(4) == 0 ? Kind.JOB_HEARTBEAT
                            : r.nextInt(3) < 2 ? Kind.JOB_SUCCEED : Kind.JOB_FAIL, job);
                }
                job = pendingJobs.poll();
                if (job != null) {
                    return transition(key, Kind.JOB_START, job);
                }
                return new Op(key, Kind.JOB_CREATE, user, "/v1/users/" + user + "/jobs",
                        "{\"jobKey\":\"" + key + "\",\"kind\":\"quiz\",\"cost\":" + amount
                                + ",\"holdTtl\":\"PT2M\"}", key);
            }
            String to;
            do {
                to = users.get(lo + r.nextInt(span));
            } while (to.equals(user));
            return new Op(key, Kind.TRANSFER, user, "/v1/transfers", "{\"fromUserId\":\"" + user + "\",\"toUserId\":\""
                    + to + "\",\"amount\":" + amount + ",\"reason\":\"chaos\"}", null);
        }

        static Op change(String key, Kind kind, String user, long amount) {
            return new Op(key, kind, user, "/v1/users/" + user + "/credits/" + kind.name().toLowerCase(),
                    "{\"amount\":" + amount + ",\"reason\":\"chaos\",\"reference\":\"" + key + "\"}", null);
        }

        static Op expiring(String key, String user, long amount, Instant expiresAt) {
            return new Op(key, Kind.GRANT, user, "/v1/users/" + user + "/credits/grant", "{\"amount\":" + amount
                    + ",\"reason\":\"chaos\",\"reference\":\"" + key + "\",\"category\":\"promotional\",\"expiresAt\":\""
                    + expiresAt + "\"}", null);
        }

        static Op transition(String key, Kind kind, String job) {
            String body = switch (kind) {
                case JOB_SUCCEED -> "{\"resultRef\":\"" + key + "\""
                        + (ThreadLocalRandom.current().nextBoolean() ? ",\"actualCost\":1}" : "}");
                case JOB_FAIL -> "{\"error\":\"chaos\"}";
                default -> null;
            };
            String step = kind.name().substring(4).toLowerCase();
            return new Op(key, kind, null, "/v1/jobs/" + job + "/" + step, body, job);
        }

        /** An acknowledged job moves on to the queue of its next step. */
        void advance(Outcome x) throws Exception {
            switch (x.op().kind()) {
                case JOB_CREATE -> pendingJobs.add(JSON.readTree(x.body()).path("id").asText());
                case JOB_START, JOB_HEARTBEAT -> runningJobs.add(x.op().job());
                default -> {
                }
            }
        }

        /** One HTTP attempt; returns the status, or -1 when no answer came (timeout, connection). */
        HttpResponse<String> attempt(Op op) {
            long t0 = System.nanoTime();
            requests.incrementAndGet();
            try {
                // Jobs are keyed by their jobKey (create) or id (transitions), not by an Idempotency-Key.
                HttpResponse<String> r = send("POST", op.path(), op.body(), token,
                        op.kind().job() ? Map.of() : Map.of("Idempotency-Key", op.key()), deadlineMs + 2000);
                int s = r.statusCode();
                // A 5xx that is not a problem document comes from a balancer in front (a replica died or is out).
                if (s >= 500 && !r.headers().firstValue("Content-Type").orElse("").contains("json")) {
                    s5balancer.incrementAndGet();
                    return r;
                }
                (s / 100 == 2 ? s2 : s / 100 == 4 ? s4 : s == 503 ? s503 : s5other).incrementAndGet();
                if (s == 503) {
                    String cause = JSON.readTree(r.body()).path("cause").asText("?");
                    causes.computeIfAbsent(cause, c -> new AtomicLong()).incrementAndGet();
                } else if (s / 100 == 4) {
                    problems4xx.computeIfAbsent(problemType(r), t -> new AtomicLong()).incrementAndGet();
                }
                return r;
            } catch (Exception e) {
                ioErrors.incrementAndGet();
                return null;
            } finally {
                long ms = (System.nanoTime() - t0) / 1_000_000;
                maxLatency.accumulate(ms);
                if (ms > deadlineMs) {
                    hung.incrementAndGet();
                }
            }
        }

        /**
         * A 4xx answer's problem type, without the service's common prefix: {@code insufficient-credits},
         * {@code validation}; {@code <status> without a problem} when the body is none (a balancer's page).
         */
        static String problemType(HttpResponse<String> r) {
            try {
                String type = JSON.readTree(r.body()).path("type").asText("");
                if (!type.isEmpty()) {
                    return type.startsWith(PROBLEM_TYPES) ? type.substring(PROBLEM_TYPES.length()) : type;
                }
            } catch (Exception notJson) {
                // falls through to the status
            }
            return r.statusCode() + " without a problem";
        }

        void client(long endNanos, long graceEndNanos, boolean hog) {
            while (System.nanoTime() < endNanos) {
                Op op = next(hog);
                Outcome outcome = null;
                for (int i = 0; outcome == null; i++) {
                    if (i > 0) {
                        retried.incrementAndGet();
                    }
                    HttpResponse<String> r = attempt(op);
                    int s = r == null ? -1 : r.statusCode();
                    if (s / 100 != 2 && s / 100 != 4) {
                        lastFailure.accumulate(System.currentTimeMillis());
                    }
                    if (s / 100 == 2) {
                        outcome = new Outcome(op, Fate.ACKED, s, r.body());
                    } else if (s / 100 == 4 && s != 408 && s != 429) {
                        outcome = new Outcome(op, Fate.REJECTED, s, r.body());
                    } else if (System.nanoTime() > graceEndNanos || i >= 200) {
                        outcome = new Outcome(op, Fate.UNRESOLVED, s, r == null ? "" : r.body());
                    } else {
                        sleep(Math.min(1000, 50L << Math.min(i, 5)) + ThreadLocalRandom.current().nextInt(50));
                    }
                }
                outcomes.put(op.key(), outcome);
                if (outcome.fate() == Fate.ACKED) {
                    try {
                        advance(outcome);
                    } catch (Exception e) {
                        throw new IllegalStateException("an acknowledged job without an id: " + outcome.body(), e);
                    }
                }
            }
        }

        void run() throws Exception {
            int clients = Integer.parseInt(o("clients", "16"));
            int hogClients = Integer.parseInt(o("hog-clients", "0"));
            long seconds = Long.parseLong(o("seconds", "20"));
            long t0 = System.nanoTime(), end = t0 + seconds * 1_000_000_000L, grace = end + 30_000_000_000L;
            try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
                for (int c = 0; c < clients; c++) {
                    pool.execute(() -> client(end, grace, false));
                }
                long hogEnd = Math.min(end, t0 + Long.parseLong(o("hog-seconds", "0")) * 1_000_000_000L);
                for (int c = 0; c < hogClients; c++) {
                    pool.execute(() -> client(hogEnd, grace, true));
                }
                if (opt.containsKey("started-file")) {
                    Files.writeString(Path.of(o("started-file")), "started");
                }
            }
            sleep(1500); // let the last transactions of the service settle before inspecting the database
            Map<String, Object> result = new LinkedHashMap<>();
            result.put("fault", fault);
            result.put("requests", requests.get());
            result.put("s2xx", s2.get());
            result.put("s4xx", s4.get());
            result.put("s503", s503.get());
            result.put("s5xx_other", s5other.get());
            result.put("s5xx_balancer", s5balancer.get());
            result.put("no_answer", ioErrors.get());
            result.put("retried", retried.get());
            result.put("max_latency_ms", maxLatency.get());
            result.put("hung_past_deadline", hung.get());
            result.put("last_failure_at", lastFailure.get() == 0 ? null : lastFailure.get());
            result.put("causes_503", causes.entrySet().stream()
                    .collect(java.util.stream.Collectors.toMap(Map.Entry::getKey, e -> e.getValue().get())));
            result.put("problems_4xx", problems4xx.entrySet().stream()
                    .collect(java.util.stream.Collectors.toMap(Map.Entry::getKey, e -> e.getValue().get())));
            long acked = outcomes.values().stream().filter(x -> x.fate() == Fate.ACKED).count();
            result.put("operations", outcomes.size());
            result.put("acknowledged", acked);
            result.put("rejected", outcomes.values().stream().filter(x -> x.fate() == Fate.REJECTED).count());
            result.put("unresolved", outcomes.values().stream().filter(x -> x.fate() == Fate.UNRESOLVED).count());
            verify(result);
            System.out.println("RESULT " + JSON.writeValueAsString(result));
        }

        /** A job as the database has it, with what its hold and history became. */
        record JobRow(String id, String status, long holds, String holdStatus, long captures, long repeatedTransitions,
                long wrongCaptures) {
        }

        /**
         * Ledger rows by idempotency key and jobs by job key against what the client saw; replay;
         * reconciliation; idle in transaction.
         */
        void verify(Map<String, Object> result) throws Exception {
            Map<String, long[]> rows = new HashMap<>(); // key -> {count, ledger id}
            Map<String, String> transferIds = new HashMap<>();
            Map<String, JobRow> jobsByKey = new HashMap<>(), jobsById = new HashMap<>();
            long brokenTransfers, grantsWithoutOneLot;
            try (Connection c = db()) {
                try (PreparedStatement ps = c.prepareStatement("""
                        SELECT idempotency_key, count(*), min(id), min(transfer_id::text) FROM credit_ledger
                        WHERE idempotency_key LIKE ? GROUP BY idempotency_key""")) {
                    ps.setString(1, prefix + "%");
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            rows.put(rs.getString(1), new long[] { rs.getLong(2), rs.getLong(3) });
                            if (rs.getString(4) != null) {
                                transferIds.put(rs.getString(1), rs.getString(4));
                            }
                        }
                    }
                }
                try (PreparedStatement ps = c.prepareStatement("""
                        SELECT count(*) FROM (SELECT transfer_id FROM credit_ledger WHERE transfer_id IN
                          (SELECT transfer_id FROM credit_ledger WHERE idempotency_key LIKE ?)
                        GROUP BY transfer_id HAVING count(*) <> 2 OR sum(amount) <> 0) broken""")) {
                    ps.setString(1, prefix + "%");
                    try (ResultSet rs = ps.executeQuery()) {
                        rs.next();
                        brokenTransfers = rs.getLong(1);
                    }
                }
                try (PreparedStatement ps = c.prepareStatement("""
                        SELECT j.job_key, j.id::text, j.status,
                          (SELECT count(*) FROM credit_holds h WHERE h.job_id = j.id),
                          (SELECT min(h.status) FROM credit_holds h WHERE h.job_id = j.id),
                          (SELECT count(*) FROM credit_ledger l WHERE l.user_id = j.user_id
                             AND l.idempotency_key = 'job-capture:' || j.id),
                          (SELECT count(*) - count(DISTINCT t.to_status) FROM job_transitions t WHERE t.job_id = j.id),
                          (SELECT count(*) FROM credit_ledger l WHERE l.user_id = j.user_id
                             AND l.idempotency_key = 'job-capture:' || j.id AND l.amount <> -coalesce(j.actual_cost, j.cost))
                        FROM generation_jobs j WHERE j.job_key LIKE ?""")) {
                    ps.setString(1, prefix + "%");
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            JobRow job = new JobRow(rs.getString(2), rs.getString(3), rs.getLong(4), rs.getString(5),
                                    rs.getLong(6), rs.getLong(7), rs.getLong(8));
                            jobsByKey.put(rs.getString(1), job);
                            jobsById.put(job.id(), job);
                        }
                    }
                }
                // Every grant of the run that made a ledger row (each acknowledged one did: see lost) made one lot.
                try (PreparedStatement ps = c.prepareStatement("""
                        SELECT count(*) FILTER (WHERE lots <> 1), count(*) FILTER (WHERE expired)
                        FROM (SELECT g.id, count(l.id) AS lots, bool_or(l.expiry_ledger_id IS NOT NULL) AS expired
                              FROM credit_ledger g LEFT JOIN credit_lots l ON l.ledger_id = g.id
                              WHERE g.idempotency_key LIKE ? AND g.kind = 'GRANT' GROUP BY g.id) grants""")) {
                    ps.setString(1, prefix + "%");
                    try (ResultSet rs = ps.executeQuery()) {
                        rs.next();
                        grantsWithoutOneLot = rs.getLong(1);
                        result.put("lots_expired", rs.getLong(2));
                    }
                }
                result.put("idle_in_transaction", idleInTransaction(c));
            }
            long lost = 0, duplicated = brokenTransfers, wrongResult = 0, rejectedButApplied = 0, unresolvedApplied = 0;
            for (JobRow job : jobsById.values()) {
                // A job holds once, is captured at most once and enters each status at most once.
                if (job.holds() > 1 || job.captures() > 1 || job.repeatedTransitions() > 0) {
                    duplicated++;
                }
            }
            List<Outcome> ackedOps = new ArrayList<>();
            List<Long> lostAt = new ArrayList<>(); // when each lost operation was acknowledged
            for (Outcome x : outcomes.values()) {
                Op op = x.op();
                if (op.kind().job()) {
                    JobRow job = op.kind() == Kind.JOB_CREATE ? jobsByKey.get(op.job()) : jobsById.get(op.job());
                    switch (x.fate()) {
                        case ACKED -> {
                            if (job == null || job.holds() == 0) {
                                lost++;
                                lostAt.add(x.at());
                            } else if (!jobMatches(op, x.body(), job)) {
                                wrongResult++;
                            }
                        }
                        case REJECTED -> {
                            if (op.kind() == Kind.JOB_CREATE ? job != null : job != null && jobMatches(op, null, job)) {
                                rejectedButApplied++;
                            }
                        }
                        case UNRESOLVED -> {
                            if (op.kind() == Kind.JOB_CREATE && job != null) {
                                unresolvedApplied++;
                            }
                        }
                    }
                    continue;
                }
                long[] row = rows.get(op.key());
                if (row != null && row[0] > 1) {
                    duplicated++;
                }
                switch (x.fate()) {
                    case ACKED -> {
                        ackedOps.add(x);
                        if (row == null) {
                            lost++;
                            lostAt.add(x.at());
                        } else {
                            JsonNode body = JSON.readTree(x.body());
                            boolean same = op.kind() == Kind.TRANSFER
                                    ? body.path("transferId").asText().equals(transferIds.get(op.key()))
                                    : body.path("id").asLong() == row[1];
                            if (!same) {
                                wrongResult++;
                            }
                        }
                    }
                    case REJECTED -> {
                        if (row != null) {
                            rejectedButApplied++;
                        }
                    }
                    case UNRESOLVED -> {
                        if (row != null) {
                            unresolvedApplied++;
                        }
                    }
                }
            }
            long unknownRows = rows.keySet().stream().filter(k -> !outcomes.containsKey(k)).count();
            result.put("jobs", jobsById.size());
            result.put("jobs_captured", jobsById.values().stream().filter(j -> j.captures() == 1).count());
            result.put("lost", lost);
            // Epoch ms of the first and last acknowledgement that was lost (the RPO of a failover).
            result.put("lost_acked_from", lostAt.stream().min(Long::compare).orElse(null));
            result.put("lost_acked_to", lostAt.stream().max(Long::compare).orElse(null));
            result.put("duplicated", duplicated);
            result.put("ack_differs_from_ledger", wrongResult);
            result.put("rejected_but_applied", rejectedButApplied);
            result.put("unresolved_applied_once", unresolvedApplied);
            result.put("rows_without_operation", unknownRows);
            result.put("replay_mismatches", replay(ackedOps));
            JsonNode mismatches = reconciliation();
            result.put("reconciliation_mismatches", mismatches.size());
            long lotMismatches = 0;
            for (JsonNode m : mismatches) {
                lotMismatches += m.path("problem").asText().contains("lot") ? 1 : 0;
            }
            result.put("lot_mismatches", lotMismatches + grantsWithoutOneLot);
        }

        /**
         * Whether the database shows what a job operation did: a created job under the id it was
         * acknowledged with; a started one no longer PENDING; a settled one in its status, with its
         * hold captured once, of what it charged (success), or released without a capture (failure).
         */
        static boolean jobMatches(Op op, String ackBody, JobRow job) throws Exception {
            return switch (op.kind()) {
                case JOB_CREATE -> ackBody == null || JSON.readTree(ackBody).path("id").asText().equals(job.id());
                case JOB_START -> !job.status().equals("PENDING");
                // acknowledged, it renewed a hold that was there (whatever came of the job later);
                // rejected, it changed nothing a later check could see
                case JOB_HEARTBEAT -> ackBody != null;
                case JOB_SUCCEED -> job.status().equals("SUCCEEDED") && job.captures() == 1 && job.wrongCaptures() == 0
                        && "CAPTURED".equals(job.holdStatus());
                case JOB_FAIL -> job.status().equals("FAILED") && job.captures() == 0
                        && "RELEASED".equals(job.holdStatus());
                default -> throw new IllegalStateException(op.kind() + " is not a job operation");
            };
        }

        /**
         * Replays up to 40 acknowledged operations: each must answer the first body, marked as a
         * replay. Grants of expiring lots too, though their expiry has passed by now: a grant's
         * expiry is checked after its idempotency key, so a retry of one that was applied still
         * gets its first answer.
         */
        long replay(List<Outcome> acked) throws Exception {
            long bad = 0;
            for (int i = 0; i < Math.min(40, acked.size()); i++) {
                Outcome x = acked.get(ThreadLocalRandom.current().nextInt(acked.size()));
                // A 503 is no answer (a circuit still open after a failover): asked again, like any client would.
                HttpResponse<String> r = untilAnswered(() -> send("POST", x.op().path(), x.op().body(), token,
                        Map.of("Idempotency-Key", x.op().key()), 10_000));
                boolean same = r.statusCode() == x.status() && JSON.readTree(r.body()).equals(JSON.readTree(x.body()))
                        && "true".equals(r.headers().firstValue("Idempotent-Replayed").orElse(""));
                if (!same) {
                    bad++;
                    System.err.println("replay differs for " + x.op().key() + ": " + r.statusCode() + " " + r.body()
                            + " vs " + x.body());
                }
            }
            return bad;
        }
    }

    /** The reconciliation's mismatches (its lot checks among them). */
    static JsonNode reconciliation() throws Exception {
        for (int i = 0;; i++) {
            HttpResponse<String> r = send("GET", "/v1/admin/reconciliation", null, o("admin-token"), Map.of(), 15_000);
            if (r.statusCode() == 200) {
                return JSON.readTree(r.body()).get("mismatches");
            }
            if (i >= 10) {
                throw new IllegalStateException("reconciliation answered " + r.statusCode() + " " + r.body());
            }
            sleep(1000);
        }
    }

    /** Backends (any client) idle in a transaction for more than a second, sampled three times: the least seen. */
    static long idleInTransaction(Connection c) throws Exception {
        long least = Long.MAX_VALUE;
        for (int i = 0; i < 3; i++) {
            try (ResultSet rs = c.createStatement().executeQuery("""
                    SELECT count(*) FROM pg_stat_activity WHERE pid <> pg_backend_pid()
                    AND state LIKE 'idle in transaction%' AND state_change < now() - interval '1 second'""")) {
                rs.next();
                least = Math.min(least, rs.getLong(1));
            }
            sleep(500);
        }
        return least;
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ---------------------------------------------------------------------------------------------
    /**
     * Requests generated from the service's OpenAPI document. For every operation: a valid request as
     * the baseline, then each body field missing / null / of the wrong type / huge / unicode / an
     * injection string, unknown fields, broken JSON, and bad path and query parameters and headers.
     * Checked: no 5xx, no stack trace or SQL in any body, and no data change from a rejected request.
     */
    static final class Fuzz {
        static final List<Object> NASTY_VALUES = List.of("", " ", "'; DROP TABLE users; --", "\" OR 1=1 --",
                "<script>alert(1)</script>", "${jndi:ldap://127.0.0.1/x}", "{{7*7}}", "../../../../etc/passwd",
                "\u0000", "Ω≈ç√∫˜µ≤≥÷ 𝕳𝖊𝖑𝖑𝖔 👩‍👩‍👧‍👦 \u202e", "x".repeat(100_000), -1, 0, 1.5,
                Long.MAX_VALUE, new java.math.BigInteger("99999999999999999999999999999"), 1e308, true, List.of(),
                Map.of("nested", "object"));
        static final List<String> NASTY_RAW = List.of("", "not json", "{", "[]", "null", "\"string\"", "{\"a\":",
                "{\"amount\":1,\"amount\":2,\"reason\":\"dup\"}", "[" + "[".repeat(5000) + "]".repeat(5000) + "]");
        static final List<String> NASTY_PARAMS = List.of("not-a-uuid", "00000000-0000-0000-0000-000000000000",
                "'%20OR%201=1--", "%F0%9F%92%A5", "%00", "..%2F..%2Fetc%2Fpasswd", "x".repeat(3000), "-1",
                "99999999999999999999");
        static final List<String> STACK_MARKERS = List.of("\tat ", "Exception", "org.postgresql", "org.hibernate",
                "SQLState", "java.", "jakarta.", "io.quarkus", "ERROR:", "syntax error", "dev.genledger.");

        final String token = o("token");
        final ObjectMapper mapper = JSON;
        JsonNode spec;
        String validUser, validJob, validQuiz, validSlug;
        int requests, s2, s4, s5, stackTraces, changedByRejected;
        final Map<String, Integer> byStatus = new java.util.TreeMap<>();
        final List<String> failures = new ArrayList<>();

        void run() throws Exception {
            spec = mapper.readTree(send("GET", "/q/openapi?format=json", null, null, Map.of(), 10_000).body());
            validUser = created(send("POST", "/v1/users", "{\"email\":\"fuzz-" + UUID.randomUUID() + "@example.com\"}",
                    token, Map.of(), 10_000)).get("id").asText();
            send("POST", "/v1/users/" + validUser + "/credits/grant", "{\"amount\":1000,\"reason\":\"fuzz\"}", token,
                    Map.of(), 10_000);
            // Real ids for the job and quiz paths, so that requests get past the lookup to the validation.
            validJob = created(send("POST", "/v1/users/" + validUser + "/jobs",
                    "{\"jobKey\":\"fuzz\",\"kind\":\"quiz\",\"cost\":1}", token, Map.of(), 10_000)).get("id").asText();
            validQuiz = created(send("POST", "/v1/users/" + validUser + "/quizzes", """
                    {"title":"fuzz","questions":[{"question":"?","options":["a","b"],"answer":0}]}""", token, Map.of(),
                    10_000)).get("id").asText();
            validSlug = created(send("POST", "/v1/quizzes/" + validQuiz + "/publish", null, token, Map.of(), 10_000))
                    .get("slug").asText();
            int operations = 0;
            try (Connection c = db()) {
                for (Map.Entry<String, JsonNode> p : spec.get("paths").properties()) {
                    for (Map.Entry<String, JsonNode> op : p.getValue().properties()) {
                        String method = op.getKey().toUpperCase();
                        if (!List.of("GET", "POST", "PUT", "PATCH", "DELETE").contains(method)) {
                            continue;
                        }
                        operations++;
                        fuzzOperation(c, method, p.getKey(), op.getValue());
                    }
                }
            }
            Map<String, Object> result = new LinkedHashMap<>();
            result.put("operations", operations);
            result.put("requests", requests);
            result.put("by_status", byStatus);
            result.put("s5xx", s5);
            result.put("stack_traces", stackTraces);
            result.put("data_changed_by_rejected", changedByRejected);
            result.put("failures", failures.subList(0, Math.min(20, failures.size())));
            System.out.println("RESULT " + mapper.writeValueAsString(result));
        }

        void fuzzOperation(Connection c, String method, String template, JsonNode op) throws Exception {
            List<String> pathParams = new ArrayList<>(), queryParams = new ArrayList<>();
            for (JsonNode prm : op.path("parameters")) {
                ("path".equals(prm.path("in").asText()) ? pathParams : queryParams).add(prm.path("name").asText());
            }
            JsonNode schema = resolve(op.path("requestBody").path("content").path("application/json").path("schema"));
            ObjectNode valid = schema.isMissingNode() ? null : (ObjectNode) example(schema);
            String path = fill(template, pathParams, null, null);
            boolean destructive = method.equals("DELETE");
            if (!destructive) {
                hit(c, method, path, valid == null ? null : fresh(valid).toString(), token, Map.of(), "valid");
            }
            for (String name : pathParams) {
                for (String bad : NASTY_PARAMS) {
                    hit(c, method, fill(template, pathParams, name, bad), valid == null ? null : fresh(valid).toString(),
                            token, Map.of(), "path " + name);
                }
            }
            for (String q : queryParams) {
                for (String bad : NASTY_PARAMS) {
                    hit(c, method, path + "?" + q + "=" + bad, null, token, Map.of(), "query " + q);
                }
            }
            if (valid != null) {
                for (Iterator<String> names = valid.fieldNames(); names.hasNext();) {
                    String field = names.next();
                    ObjectNode missing = fresh(valid);
                    missing.remove(field);
                    hit(c, method, path, missing.toString(), token, Map.of(), "missing " + field);
                    for (Object v : NASTY_VALUES) {
                        ObjectNode bad = fresh(valid);
                        bad.set(field, mapper.valueToTree(v));
                        hit(c, method, path, bad.toString(), token, Map.of(), "field " + field);
                    }
                    ObjectNode nul = fresh(valid);
                    nul.putNull(field);
                    hit(c, method, path, nul.toString(), token, Map.of(), "null " + field);
                }
                ObjectNode extra = fresh(valid);
                extra.put("isAdmin", true);
                hit(c, method, path, extra.toString(), token, Map.of(), "unknown field");
                for (String raw : NASTY_RAW) {
                    hit(c, method, path, raw, token, Map.of(), "raw body");
                }
                hit(c, method, path, fresh(valid).toString(), token, Map.of("Idempotency-Key", "ключ 🔑"), "bad key");
                hit(c, method, path, fresh(valid).toString(), token, Map.of("Idempotency-Key", "k".repeat(1000)),
                        "long key");
                hit(c, method, path, fresh(valid).toString(), token, Map.of("X-Request-Id", "<script>\u00e9"), "bad rid");
            }
            hit(c, method, path, valid == null ? null : fresh(valid).toString(), "not.a.token", Map.of(), "bad token");
        }

        JsonNode created(HttpResponse<String> r) throws Exception {
            if (r.statusCode() / 100 != 2) {
                throw new IllegalStateException("fuzz setup: " + r.statusCode() + " " + r.body());
            }
            return mapper.readTree(r.body());
        }

        /** A valid body from the schema (unique emails, the fuzz user for uuids, small amounts). */
        JsonNode example(JsonNode schema) {
            schema = resolve(schema);
            String type = schema.path("type").asText(schema.has("properties") ? "object" : "string");
            // OpenAPI 3.1 states nullability as a type array, e.g. ["string", "null"]: fill in the non-null type
            for (JsonNode t : schema.path("type")) {
                if (!"null".equals(t.asText())) {
                    type = t.asText();
                    break;
                }
            }
            return switch (type) {
                case "object" -> {
                    ObjectNode n = mapper.createObjectNode();
                    for (Map.Entry<String, JsonNode> e : schema.path("properties").properties()) {
                        if (!List.of("externalId", "reference", "sourceJobId").contains(e.getKey())) {
                            n.set(e.getKey(), example(e.getValue()));
                        }
                    }
                    yield n;
                }
                case "integer", "number" -> mapper.valueToTree(1);
                case "boolean" -> mapper.valueToTree(true);
                case "array" -> {
                    ArrayNode items = mapper.createArrayNode();
                    for (int i = 0; i < Math.max(1, schema.path("minItems").asInt(1)); i++) {
                        items.add(example(schema.path("items")));
                    }
                    yield items;
                }
                default -> mapper.valueToTree("uuid".equals(schema.path("format").asText()) ? validUser
                        : "email".equals(schema.path("format").asText()) ? "EMAIL" : "fuzz");
            };
        }

        ObjectNode fresh(ObjectNode valid) {
            ObjectNode copy = valid.deepCopy();
            for (Map.Entry<String, JsonNode> e : copy.properties()) {
                if (e.getKey().toLowerCase().contains("email")) {
                    e.setValue(mapper.valueToTree("fuzz-" + UUID.randomUUID() + "@example.com"));
                }
            }
            if (copy.has("toUserId")) { // a transfer needs a second user; the fuzz user itself is refused (400)
                copy.put("toUserId", "00000000-0000-4000-8000-000000000001");
            }
            return copy;
        }

        JsonNode resolve(JsonNode schema) {
            while (schema.has("$ref")) {
                String ref = schema.get("$ref").asText();
                schema = spec.at(ref.substring(1));
            }
            if (schema.has("allOf") && schema.get("allOf").size() == 1) {
                return resolve(schema.get("allOf").get(0));
            }
            return schema;
        }

        String fill(String template, List<String> params, String badName, String badValue) {
            String path = template;
            for (String p : params) {
                String value = p.equals(badName) ? badValue
                        : p.toLowerCase().contains("external") ? "fuzz-ext-" + UUID.randomUUID()
                        : p.equals("slug") ? validSlug
                        : p.equals("type") ? "summary"
                        : template.startsWith("/v1/jobs/") ? validJob
                        : template.startsWith("/v1/quizzes/") ? validQuiz
                        : validUser;
                path = path.replace("{" + p + "}", value);
            }
            return path;
        }

        void hit(Connection c, String method, String path, String body, String tok, Map<String, String> headers,
                String what) throws Exception {
            State before = state(c);
            HttpResponse<String> r;
            try {
                r = send(method, path, body, tok, headers, 15_000);
            } catch (IllegalArgumentException e) {
                return; // a URI the HTTP client itself refuses to send
            }
            requests++;
            int s = r.statusCode();
            byStatus.merge(Integer.toString(s), 1, Integer::sum);
            String where = method + " " + abbreviate(path) + " [" + what + "] -> " + s;
            if (s >= 500) {
                s5++;
                failures.add(where + " " + abbreviate(r.body()));
            }
            for (String marker : STACK_MARKERS) {
                if (r.body().contains(marker)) {
                    stackTraces++;
                    failures.add(where + " leaks '" + marker.trim() + "': " + abbreviate(r.body()));
                    break;
                }
            }
            if (s >= 400 && before.changedWithoutSweepsBy(state(c))) {
                changedByRejected++;
                failures.add(where + " changed data though rejected");
            }
        }

        static String abbreviate(String s) {
            return s.length() > 160 ? s.substring(0, 160) + "…" : s;
        }

        /**
         * Everything a request could change (users and credits, holds, jobs, quizzes and insights),
         * and what the expiry sweeps have done so far (counts that only grow).
         */
        record State(String data, String swept) {
            // The service's sweeps (lot and hold expiry) go on during the fuzz; a change in a window
            // in which one of them also committed says nothing about the request.
            boolean changedWithoutSweepsBy(State after) {
                return !data.equals(after.data) && swept.equals(after.swept);
            }
        }

        static State state(Connection c) throws Exception {
            try (ResultSet rs = c.createStatement().executeQuery("""
                    SELECT concat_ws(':',
                        (SELECT count(*) || '/' || coalesce(sum(balance), 0) || '/' || coalesce(sum(held), 0)
                                || '/' || count(deleted_at) || '/' || coalesce(max(updated_at)::text, '') FROM users),
                        (SELECT count(*) FROM credit_ledger),
                        (SELECT count(*) || '/' || count(*) FILTER (WHERE status = 'OPEN') FROM credit_holds),
                        (SELECT count(*) || '/' || coalesce(max(updated_at)::text, '') FROM generation_jobs),
                        (SELECT count(*) FROM job_transitions),
                        (SELECT count(*) || '/' || count(deleted_at) || '/' || count(slug) || '/'
                                || coalesce(max(updated_at)::text, '') FROM quizzes),
                        (SELECT count(*) || '/' || count(deleted_at) || '/' || coalesce(max(updated_at)::text, '')
                         FROM insights)),
                    (SELECT count(*) FROM credit_ledger WHERE kind = 'EXPIRE') || '/'
                        || (SELECT count(*) FROM generation_jobs WHERE status = 'EXPIRED')""")) {
                rs.next();
                return new State(rs.getString(1), rs.getString(2));
            }
        }
    }

}
