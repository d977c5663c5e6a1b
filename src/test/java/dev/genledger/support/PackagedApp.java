package dev.genledger.support;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import dev.genledger.db.DatabaseRoles;
import io.restassured.RestAssured;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

/**
 * The packaged application (target/quarkus-app, prod profile) started as a process of its own,
 * with the settings a deployment gives it: a database, the token issuer's key and issuer.
 */
public final class PackagedApp implements AutoCloseable {

    /** The JVM package; -Dgenledger.it.jar points the tests at another build of it. */
    public static final Path JAR = Path.of(System.getProperty("genledger.it.jar", "target/quarkus-app/quarkus-run.jar"));

    public final int http;
    public final int management;
    public final Path log;
    private final Process process;

    private PackagedApp(Process process, int http, int management, Path log) {
        this.process = process;
        this.http = http;
        this.management = management;
        this.log = log;
    }

    /** The settings of a proper prod start against this database. */
    public static Map<String, String> prodEnvironment(String jdbcUrl) {
        Map<String, String> env = new HashMap<>();
        env.put("QUARKUS_DATASOURCE_JDBC_URL", jdbcUrl);
        DatabaseRoles.serviceCredentials().forEach((k, v) -> env.put(k.toUpperCase().replace('.', '_'), v));
        env.put("MP_JWT_VERIFY_PUBLICKEY_LOCATION", new File("dev/jwt/publicKey.pem").getAbsolutePath());
        env.put("MP_JWT_VERIFY_ISSUER", Tokens.ISSUER);
        return env;
    }

    /** An embedded PostgreSQL with the service's roles, as a deployment's database has them. */
    public static EmbeddedPostgres database() throws IOException, SQLException {
        return withRoles(EmbeddedPostgres.builder().start());
    }

    /** The same with a connection limit of its own, e.g. for several replicas' pools at once. */
    public static EmbeddedPostgres database(int maxConnections) throws IOException, SQLException {
        return withRoles(EmbeddedPostgres.builder().setServerConfig("max_connections", Integer.toString(maxConnections)).start());
    }

    private static EmbeddedPostgres withRoles(EmbeddedPostgres pg) throws SQLException {
        try (Connection c = pg.getPostgresDatabase().getConnection()) {
            DatabaseRoles.create(c);
        }
        return pg;
    }

    /** Starts {@code jar} with these JVM options and environment (a null value removes a variable). */
    public static PackagedApp start(Path jar, String name, Map<String, String> env, String... jvmOptions)
            throws IOException {
        int http = freePort();
        int management = freePort();
        Path log = Path.of("target", name + ".log");
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(List.of(jvmOptions));
        command.addAll(List.of("-jar", jar.toString()));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().keySet().removeIf(k -> k.startsWith("QUARKUS_") || k.startsWith("MP_JWT") || k.startsWith("GENLEDGER_"));
        pb.environment().put("QUARKUS_HTTP_PORT", String.valueOf(http));
        pb.environment().put("QUARKUS_MANAGEMENT_PORT", String.valueOf(management));
        env.forEach((k, v) -> {
            if (v == null) {
                pb.environment().remove(k);
            } else {
                pb.environment().put(k, v);
            }
        });
        return new PackagedApp(pb.start(), http, management, log);
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** Waits for the process to end by itself and returns its exit status. */
    public int awaitExit(long seconds) throws InterruptedException {
        if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
            throw new AssertionError("the application still runs after " + seconds + " s");
        }
        return process.exitValue();
    }

    public String logText() throws IOException {
        return Files.readString(log);
    }

    public void awaitReady(long timeoutMillis) throws Exception {
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000;
        while (true) {
            if (!process.isAlive()) {
                throw new AssertionError("the application exited with " + process.exitValue() + ":\n" + logText());
            }
            try {
                if (RestAssured.given().port(management).get("/q/health/ready").statusCode() == 200) {
                    return;
                }
            } catch (Exception notListeningYet) { // ConnectException, thrown through Groovy
                // connection refused while starting
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not ready within " + timeoutMillis + " ms:\n" + logText());
            }
            Thread.sleep(100);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Override
    public void close() {
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
