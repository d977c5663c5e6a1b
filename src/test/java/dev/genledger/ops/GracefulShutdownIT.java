package dev.genledger.ops;

import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.genledger.support.PackagedApp;
import dev.genledger.support.Tokens;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

/**
 * SIGTERM to the packaged application (prod profile, JSON logs): readiness goes DOWN first,
 * the request in flight finishes, then the pool closes and PostgreSQL sees no connection left.
 * Runs after packaging: {@code ./mvnw verify -Pops-it}.
 */
class GracefulShutdownIT {

    private static EmbeddedPostgres pg;
    private static String url;

    @BeforeAll
    static void database() throws Exception {
        pg = PackagedApp.database(100);
        url = "jdbc:postgresql://localhost:" + pg.getPort() + "/postgres";
    }

    @AfterAll
    static void stopDatabase() throws Exception {
        pg.close();
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static Connection connect() throws Exception {
        return DriverManager.getConnection(url, "postgres", "postgres");
    }

    private static long serviceConnections() throws Exception {
        try (Connection c = connect(); PreparedStatement ps = c.prepareStatement(
                "SELECT count(*) FROM pg_stat_activity WHERE application_name LIKE 'genledger%'");
                ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @Test
    void sigtermTurnsReadinessDownFinishesInFlightRequestsThenReleasesEveryConnection() throws Exception {
        int http = freePort();
        int management = freePort();
        Path log = Path.of("target", "graceful-shutdown-it.log");
        Process app = start(http, management, log, Map.of("GENLEDGER_SHUTDOWN_DELAY", "3S"));
        try {
            awaitStatus(management, "started", 200, 60_000);
            awaitStatus(management, "ready", 200, 10_000);
            assertTrue(serviceConnections() >= 2, "the pool is warm");

            String user = api(http).body(Map.of("email", "sigterm-" + UUID.randomUUID() + "@example.com"))
                    .post("/v1/users").then().statusCode(201).extract().path("id");
            api(http).body(Map.of("amount", 100, "reason", "setup")).post("/v1/users/{id}/credits/grant", user)
                    .then().statusCode(201);

            CompletableFuture<Response> inFlight;
            try (Connection lock = connect()) {
                lock.setAutoCommit(false);
                try (PreparedStatement ps = lock.prepareStatement("UPDATE users SET display_name = display_name WHERE id = ?")) {
                    ps.setObject(1, UUID.fromString(user));
                    ps.executeUpdate();
                }
                inFlight = CompletableFuture.supplyAsync(() -> api(http)
                        .body(Map.of("amount", 10, "reason", "in flight at SIGTERM"))
                        .post("/v1/users/{id}/credits/spend", user));
                Thread.sleep(300); // the spend is waiting for the row lock

                app.toHandle().destroy(); // SIGTERM
                awaitStatus(management, "ready", 503, 2_000);
                RestAssured.given().port(management).get("/q/health/live").then().statusCode(200);
                assertTrue(app.isAlive(), "still serving during the shutdown delay");
                Thread.sleep(1_200); // past lock_timeout: the spend's first attempt fails with 55P03 and is retried
                lock.rollback(); // the spend can go on now
            }
            inFlight.get(15, TimeUnit.SECONDS).then().statusCode(201).body("balanceAfter", equalTo(90));

            assertTrue(app.waitFor(30, TimeUnit.SECONDS), "the process exited within the grace period");
            assertEquals(0, serviceConnections(), "every pooled connection was closed");
            try (Connection c = connect(); PreparedStatement ps = c.prepareStatement(
                    "SELECT balance FROM users WHERE id = ?")) {
                ps.setObject(1, UUID.fromString(user));
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    assertEquals(90, rs.getLong(1));
                }
            }
            List<String> lines = Files.readAllLines(log);
            assertTrue(lines.stream().allMatch(l -> l.startsWith("{\"timestamp\"")), "every log line is JSON");
            assertTrue(lines.stream().anyMatch(l -> l.contains("retrying CreditResource.spend") && l.contains("\"requestId\"")
                    && l.contains("\"userId\":\"chatbot-backend\"") && l.contains("\"sqlState\":\"55P03\"")),
                    "the retry's log line carries the request id, the caller and the SQLState");
            assertTrue(lines.stream().anyMatch(l -> l.contains("readiness is DOWN")), "the shutdown is logged");
            assertFalse(lines.stream().anyMatch(l -> l.contains("eyJ")), "no token in the logs");
        } finally {
            app.destroyForcibly();
        }
    }

    /**
     * A balancer that is slow to notice readiness DOWN keeps sending after SIGTERM, longer than the
     * shutdown delay: the replica must keep serving (no refused connection, no failed request) until
     * the requests stop, and only then shut down.
     */
    @Test
    void sigtermKeepsServingWhileRequestsStillArriveThenStopsWhenTheyStop() throws Exception {
        int http = freePort();
        int management = freePort();
        Path log = Path.of("target", "graceful-shutdown-drain-it.log");
        Process app = start(http, management, log, Map.of("GENLEDGER_SHUTDOWN_DELAY", "1S", "GENLEDGER_DRAIN_QUIET", "1S"));
        try {
            awaitStatus(management, "started", 200, 60_000);
            awaitStatus(management, "ready", 200, 10_000);
            String user = api(http).body(Map.of("email", "drain-" + UUID.randomUUID() + "@example.com"))
                    .post("/v1/users").then().statusCode(201).extract().path("id");

            app.toHandle().destroy(); // SIGTERM
            awaitStatus(management, "ready", 503, 2_000);
            long until = System.nanoTime() + 4_000_000_000L; // four times the shutdown delay
            int served = 0;
            while (System.nanoTime() < until) {
                api(http).get("/v1/users/{id}", user).then().statusCode(200);
                served++;
                Thread.sleep(100);
            }
            assertTrue(served > 20, "requests kept being served after SIGTERM: " + served);
            assertTrue(app.waitFor(15, TimeUnit.SECONDS), "once the requests stopped, the process exited");
            assertTrue(Files.readAllLines(log).stream().anyMatch(l -> l.contains("API requests stopped arriving")),
                    "the drain is logged");
        } finally {
            app.destroyForcibly();
        }
    }

    private static Process start(int http, int management, Path log, Map<String, String> extra) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", PackagedApp.JAR.toString())
                .redirectErrorStream(true).redirectOutput(log.toFile());
        Map<String, String> env = pb.environment();
        env.putAll(PackagedApp.prodEnvironment(url));
        env.put("QUARKUS_HTTP_PORT", String.valueOf(http));
        env.put("QUARKUS_MANAGEMENT_PORT", String.valueOf(management));
        env.put("GENLEDGER_SHUTDOWN_GRACE", "15S");
        env.putAll(extra);
        return pb.start();
    }

    private static io.restassured.specification.RequestSpecification api(int port) {
        return RestAssured.given().port(port).auth().oauth2(Tokens.service()).contentType(ContentType.JSON);
    }

    private static void awaitStatus(int port, String probe, int status, long timeoutMillis) throws Exception {
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000;
        while (true) {
            try {
                if (RestAssured.given().port(port).get("/q/health/" + probe).statusCode() == status) {
                    return;
                }
            } catch (Exception notListeningYet) { // ConnectException, thrown through Groovy
                // connection refused while starting
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError(probe + " did not answer " + status + " within " + timeoutMillis + " ms");
            }
            Thread.sleep(50);
        }
    }
}
