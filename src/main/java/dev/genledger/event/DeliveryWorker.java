package dev.genledger.event;

import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import javax.sql.DataSource;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.genledger.db.Sql;
import org.jboss.logging.Logger;

/**
 * Sends webhook deliveries: claims due ones per endpoint with FOR UPDATE SKIP LOCKED and a lease,
 * sends each signed event from a virtual thread of its own, records the attempt. Depends on
 * nothing but a DataSource, so any number of workers (one per replica) share the work of one
 * database: a claimed row is leased to one worker, and only the oldest pending delivery of a user
 * per endpoint is claimable, so each user's events reach an endpoint in order, and a worker that
 * dies mid-delivery leaves a lease that runs out and another worker sends the event again.
 * <p>
 * A slow or hanging receiver holds at most {@code concurrencyPerEndpoint} requests of this worker,
 * each ended by the request timeout; other endpoints' deliveries go on meanwhile.
 */
public final class DeliveryWorker implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(DeliveryWorker.class);

    /** What an attempt came to. */
    public enum Outcome {
        DELIVERED, FAILED, DEAD
    }

    public interface Listener {
        void attempted(Outcome outcome);
    }

    public record Settings(Duration connectTimeout, Duration requestTimeout, Duration lease, Duration retryBaseDelay,
            Duration retryMaxDelay, Duration retryFor, int concurrencyPerEndpoint, boolean allowPrivateTargets,
            WebhookSecretCipher secrets) {

        static Settings from(WebhooksConfig c, WebhookSecretCipher secrets) {
            return new Settings(c.connectTimeout(), c.requestTimeout(), c.lease(), c.retryBaseDelay(), c.retryMaxDelay(),
                    c.retryFor(), c.concurrencyPerEndpoint(), c.allowPrivateTargets(), secrets);
        }
    }

    private record Endpoint(UUID id, String url, List<String> secrets) {
    }

    private record Claimed(long deliveryId, long eventId, int attempts, UUID lease, byte[] body) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final DataSource dataSource;
    private final Settings settings;
    private final String name;
    private final Listener listener;
    private final TargetPolicy targets;
    private final HttpClient http;
    private final ExecutorService sends = Executors.newVirtualThreadPerTaskExecutor();
    private final Map<UUID, Semaphore> slots = new ConcurrentHashMap<>();
    private volatile Map<UUID, Endpoint> current = Map.of();
    private final Set<UUID> unopenable = ConcurrentHashMap.newKeySet();

    static {
        // A plain-http attempt goes to the address that was checked and names the host in Host
        // (TargetPolicy), a header the JDK's client refuses unless allowed before its first use in the
        // JVM (WebhookDispatcher starts with the service for that).
        String allowed = System.getProperty("jdk.httpclient.allowRestrictedHeaders", "");
        if (!allowed.toLowerCase(Locale.ROOT).contains("host")) {
            System.setProperty("jdk.httpclient.allowRestrictedHeaders", allowed.isEmpty() ? "host" : allowed + ",host");
        }
    }

    public DeliveryWorker(DataSource dataSource, Settings settings, String name, Listener listener) {
        this.dataSource = dataSource;
        this.settings = settings;
        this.name = name;
        this.listener = listener;
        this.targets = new TargetPolicy(settings.allowPrivateTargets());
        // Redirects are never followed: a receiver could otherwise send the request on to any host.
        this.http = HttpClient.newBuilder().connectTimeout(settings.connectTimeout())
                .followRedirects(HttpClient.Redirect.NEVER).version(HttpClient.Version.HTTP_1_1).build();
    }

    /** Claims what is due for every enabled endpoint with a free slot and starts sending it; returns how many. */
    public int poll() {
        List<Endpoint> enabled = endpoints();
        Map<UUID, Endpoint> now = new HashMap<>();
        enabled.forEach(e -> now.put(e.id(), e));
        current = now;
        int started = 0;
        for (Endpoint endpoint : enabled) {
            started += fill(endpoint);
        }
        return started;
    }

    // Takes the endpoint's free slots first, then claims at most that many, so fills running at
    // once (the poll, and sends that just finished) never start more than the slots allow.
    private int fill(Endpoint endpoint) {
        Semaphore free = slots.computeIfAbsent(endpoint.id(), id -> new Semaphore(settings.concurrencyPerEndpoint()));
        int room = 0;
        while (free.tryAcquire()) {
            room++;
        }
        if (room == 0) {
            return 0;
        }
        List<Claimed> claimed;
        try {
            claimed = claim(endpoint, room);
        } catch (RuntimeException e) {
            free.release(room);
            throw e;
        }
        free.release(room - claimed.size());
        for (Claimed delivery : claimed) {
            try {
                sends.execute(() -> {
                    try {
                        send(endpoint, delivery);
                    } finally {
                        free.release();
                    }
                    refill(endpoint);
                });
            } catch (RejectedExecutionException closing) {
                // the worker is closing: the lease runs out and another worker sends it
                free.release();
            }
        }
        return claimed.size();
    }

    // A send that finished claims the endpoint's next due delivery at once: with the poll alone an
    // endpoint would get at most its slots' worth of deliveries per poll interval.
    // It uses the endpoint as the last poll read it (URL, secrets, still enabled), so a change
    // reaches the refills within a poll interval, as it reaches the poll.
    private void refill(Endpoint sent) {
        Endpoint endpoint = current.get(sent.id());
        if (endpoint == null || sends.isShutdown()) {
            return;
        }
        try {
            fill(endpoint);
        } catch (RuntimeException e) {
            LOG.debugf("webhook refill of %s failed, the next poll claims again: %s", endpoint.id(), e.toString());
        }
    }

    /** Lets sends in flight finish (up to {@code grace}), then interrupts the rest: their leases run out. */
    public void close(Duration grace) {
        sends.shutdown();
        try {
            if (!sends.awaitTermination(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                sends.shutdownNow();
            }
        } catch (InterruptedException e) {
            sends.shutdownNow();
            Thread.currentThread().interrupt();
        }
        http.shutdownNow();
    }

    @Override
    public void close() {
        close(Duration.ZERO);
    }

    private List<Endpoint> endpoints() {
        return Sql.onPool(dataSource, sql -> sql.list("""
                SELECT id, url, secret, CASE WHEN previous_secret_until > now() THEN previous_secret END
                FROM webhook_endpoints WHERE enabled ORDER BY id""", rs -> {
            String previous = rs.getString(4);
            return opened(rs.getObject(1, UUID.class), rs.getString(2),
                    previous == null ? List.of(rs.getString(3)) : List.of(rs.getString(3), previous));
        })).stream().flatMap(Optional::stream).toList();
    }

    // Nothing is sent unsigned: an endpoint whose secret does not open waits, its deliveries pending,
    // until its key is back.
    private Optional<Endpoint> opened(UUID id, String url, List<String> stored) {
        try {
            List<String> secrets = stored.stream().map(s -> settings.secrets().open(s, id)).toList();
            unopenable.remove(id);
            return Optional.of(new Endpoint(id, url, secrets));
        } catch (IllegalStateException e) {
            if (unopenable.add(id)) {
                LOG.errorf("webhook endpoint %s gets no deliveries: %s", id, e.getMessage());
            }
            return Optional.empty();
        }
    }

    private List<Claimed> claim(Endpoint endpoint, int limit) {
        UUID lease = UUID.randomUUID();
        try {
            return Sql.inOwnTransaction(dataSource, sql -> {
                // The due rows are picked once, in a CTE: a subquery in FROM may be scanned again
                // within the statement, and with SKIP LOCKED beside other claims each scan can pick
                // other rows, so the UPDATE would lease more deliveries than the slots it has.
                List<long[]> rows = sql.list("""
                        WITH due AS MATERIALIZED (
                            SELECT c.id FROM webhook_deliveries c
                            WHERE c.endpoint_id = ? AND c.status = 'PENDING' AND c.next_attempt_at <= now()
                              AND (c.leased_until IS NULL OR c.leased_until < now())
                              AND NOT EXISTS (SELECT 1 FROM webhook_deliveries p
                                              WHERE p.endpoint_id = c.endpoint_id AND p.user_id = c.user_id
                                                AND p.status = 'PENDING'
                                                AND (p.event_xid, p.event_id) < (c.event_xid, c.event_id))
                            ORDER BY c.next_attempt_at, c.id LIMIT ? FOR UPDATE SKIP LOCKED)
                        UPDATE webhook_deliveries d SET lease = ?, leased_until = now() + make_interval(secs => ?),
                            first_attempt_at = coalesce(d.first_attempt_at, now())
                        FROM due WHERE d.id = due.id
                        RETURNING d.id, d.event_id, d.attempts""",
                        rs -> new long[] { rs.getLong(2), rs.getLong(1), rs.getInt(3) },
                        endpoint.id(), limit, lease, settings.lease().toMillis() / 1000.0);
                if (rows.isEmpty()) {
                    return List.<Claimed>of();
                }
                Map<Long, long[]> claimed = new HashMap<>();
                rows.forEach(r -> claimed.put(r[0], new long[] { r[1], r[2] }));
                return sql.list("SELECT " + EventService.COLUMNS
                        + " FROM events e WHERE e.id = ANY (?) ORDER BY e.xid, e.id", rs -> {
                            EventView event = EventService.view(rs);
                            long[] d = claimed.get(event.id());
                            return new Claimed(d[0], event.id(), (int) d[1], lease, body(event));
                        }, (Object) claimed.keySet().toArray(Long[]::new));
            });
        } catch (Sql.SqlFailure e) {
            if (conflicted(e)) {
                // another worker changed a row this claim looked at: the next poll claims again
                return List.of();
            }
            throw e;
        }
    }

    private static boolean conflicted(Sql.SqlFailure e) {
        return "40001".equals(e.sqlState()) || "40P01".equals(e.sqlState());
    }

    private static byte[] body(EventView event) {
        try {
            return JSON.writeValueAsBytes(event);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("event " + event.id() + " does not serialize", e);
        }
    }

    /** A request to the checked address, naming the host it was checked for. */
    static HttpRequest.Builder requestTo(TargetPolicy.Target target) {
        HttpRequest.Builder request = HttpRequest.newBuilder(target.uri());
        if (target.host() != null) {
            request.header("Host", target.host());
        }
        return request;
    }

    private void send(Endpoint endpoint, Claimed delivery) {
        String id = Long.toString(delivery.eventId());
        long timestamp = Instant.now().getEpochSecond();
        long started = System.nanoTime();
        Integer status = null;
        String error = null;
        TargetPolicy.Target target = null;
        try {
            target = targets.target(endpoint.url());
        } catch (TargetPolicy.Refused e) {
            error = "target refused: " + e.getMessage();
        }
        if (target != null) {
            try {
                HttpRequest.Builder request = requestTo(target)
                        .timeout(settings.requestTimeout())
                        .header("Content-Type", "application/json")
                        .header("User-Agent", "genledger-webhooks")
                        .header("webhook-id", id)
                        .header("webhook-timestamp", Long.toString(timestamp))
                        .header("webhook-signature", WebhookSigner.sign(id, timestamp, delivery.body(), endpoint.secrets()))
                        .POST(HttpRequest.BodyPublishers.ofByteArray(delivery.body()));
                HttpResponse<InputStream> response = http.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
                // the answer's body means nothing to us: closing it unread keeps a trickling receiver from holding us
                response.body().close();
                status = response.statusCode();
            } catch (HttpTimeoutException e) {
                error = "no answer within " + settings.requestTimeout();
            } catch (IOException | IllegalArgumentException e) {
                error = e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
            } catch (InterruptedException e) {
                // this worker is stopping: the lease runs out and another worker sends the event again
                Thread.currentThread().interrupt();
                return;
            }
        }
        int latency = (int) ((System.nanoTime() - started) / 1_000_000);
        try {
            record(delivery, status, latency, error);
        } catch (Sql.SqlFailure e) {
            // unrecorded: the lease runs out and the event is sent again (at least once)
            LOG.warnf("webhook delivery %d: outcome not recorded (%s), it will be sent again", delivery.deliveryId(),
                    e.sqlState());
        }
    }

    private void record(Claimed delivery, Integer status, int latency, String error) {
        boolean ok = status != null && status >= 200 && status < 300;
        if (!ok && error == null) {
            error = "HTTP " + status;
        }
        if (error != null && error.length() > 500) {
            error = error.substring(0, 500);
        }
        String lastError = ok ? null : error;
        double retryIn = backoff(delivery.attempts() + 1).toMillis() / 1000.0;
        for (int attempt = 1;; attempt++) {
            try {
                Optional<String> outcome = Sql.inOwnTransaction(dataSource, sql -> {
                    Optional<Object[]> row = sql.first("""
                            UPDATE webhook_deliveries
                            SET attempts = attempts + 1, last_status = ?, last_latency_ms = ?, last_error = ?,
                                lease = NULL, leased_until = NULL,
                                status = CASE WHEN ? THEN 'DELIVERED'
                                              WHEN now() - first_attempt_at >= make_interval(secs => ?) THEN 'DEAD'
                                              ELSE 'PENDING' END,
                                delivered_at = CASE WHEN ? THEN now() END,
                                next_attempt_at = CASE WHEN ? THEN next_attempt_at ELSE now() + make_interval(secs => ?) END
                            WHERE id = ? AND lease = ?
                            RETURNING status, attempts""", rs -> new Object[] { rs.getString(1), rs.getInt(2) },
                            status, latency, lastError, ok, settings.retryFor().toMillis() / 1000.0, ok, ok, retryIn,
                            delivery.deliveryId(), delivery.lease());
                    row.ifPresent(r -> sql.update("""
                            INSERT INTO webhook_attempts (delivery_id, attempt, status_code, latency_ms, error, worker)
                            VALUES (?, ?, ?, ?, ?, ?)""", delivery.deliveryId(), r[1], status, latency, lastError, name));
                    return row.map(r -> (String) r[0]);
                });
                // no row: the lease ran out (or a replay reset the delivery) and the event goes out again
                outcome.ifPresent(o -> listener.attempted(switch (o) {
                    case "DELIVERED" -> Outcome.DELIVERED;
                    case "DEAD" -> Outcome.DEAD;
                    default -> Outcome.FAILED;
                }));
                return;
            } catch (Sql.SqlFailure e) {
                if (attempt >= 3 || !conflicted(e)) {
                    throw e;
                }
            }
        }
    }

    /** The delay before attempt {@code n + 1}: doubling from the base up to the maximum, with jitter (half to all of it). */
    Duration backoff(int n) {
        long base = settings.retryBaseDelay().toMillis();
        long max = settings.retryMaxDelay().toMillis();
        long delay = n >= 40 ? max : Math.min(max, base << Math.min(n - 1, 40));
        return Duration.ofMillis(delay / 2 + ThreadLocalRandom.current().nextLong(delay / 2 + 1));
    }
}
