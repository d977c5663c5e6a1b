package dev.genledger.event;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Function;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;

/**
 * A webhook receiver a test starts: records every request it is sent, and answers as the test's
 * behaviour says: a status, after a delay (a slow receiver), or not at all (a hanging one).
 */
final class Receiver implements AutoCloseable {

    /** One request as it arrived. */
    record Received(String id, String timestamp, String signature, String body, JsonNode event, long atNanos,
            String host) {

        long eventId() {
            return event.get("id").asLong();
        }

        String userId() {
            return event.get("userId").asText();
        }
    }

    /** How to answer: a status after {@code delayMillis}; {@code hang} never answers. */
    record Answer(int status, long delayMillis, boolean hang) {
        static final Answer OK = new Answer(204, 0, false);
        static final Answer FAIL = new Answer(500, 0, false);
        static final Answer HANG = new Answer(0, 0, true);

        static Answer slow(long millis) {
            return new Answer(200, millis, false);
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpServer server;
    private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private final List<Received> accepted = new CopyOnWriteArrayList<>();
    private volatile Function<Received, Answer> behaviour;

    Receiver(Function<Received, Answer> behaviour) throws IOException {
        this.behaviour = behaviour;
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 100);
        server.setExecutor(threads);
        server.createContext("/hook", exchange -> {
            try (exchange; InputStream in = exchange.getRequestBody()) {
                String body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                var h = exchange.getRequestHeaders();
                Received r = new Received(h.getFirst("webhook-id"), h.getFirst("webhook-timestamp"),
                        h.getFirst("webhook-signature"), body, JSON.readTree(body), System.nanoTime(), h.getFirst("Host"));
                received.add(r);
                Answer answer = this.behaviour.apply(r);
                if (answer.hang()) {
                    Thread.sleep(60_000);
                    return;
                }
                Thread.sleep(answer.delayMillis());
                if (answer.status() >= 200 && answer.status() < 300) {
                    accepted.add(r);
                }
                exchange.sendResponseHeaders(answer.status(), answer.status() == 204 ? -1 : 2);
                if (answer.status() != 204) {
                    try (OutputStream out = exchange.getResponseBody()) {
                        out.write("ok".getBytes(StandardCharsets.UTF_8));
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        server.start();
    }

    void behave(Function<Received, Answer> next) {
        behaviour = next;
    }

    String url() {
        return "http://127.0.0.1:" + port() + "/hook";
    }

    int port() {
        return server.getAddress().getPort();
    }

    /** Every request, in arrival order. */
    List<Received> received() {
        return List.copyOf(received);
    }

    /** The requests answered with a 2xx, in the order they were answered. */
    List<Received> accepted() {
        return List.copyOf(accepted);
    }

    List<Received> acceptedFor(String userId) {
        return accepted().stream().filter(r -> r.userId().equals(userId)).toList();
    }

    List<Received> receivedFor(String userId) {
        return received().stream().filter(r -> r.userId().equals(userId)).toList();
    }

    static Map<String, Object> endpoint(String url, String secret, String... types) {
        return Map.of("url", url, "secret", secret, "eventTypes", List.of(types));
    }

    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
    }
}
