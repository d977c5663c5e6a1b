package dev.genledger.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;

import dev.genledger.db.DatabaseRoles;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

/**
 * A PostgreSQL of the test's own (embedded, PG 17) on a fixed port and a kept data directory,
 * so a test can stop it for real (a fast shutdown: backends are terminated, connections refused)
 * and start it again at the same address, as a failover or a restart looks to the service.
 */
public class StoppablePostgres implements QuarkusTestResourceLifecycleManager {

    private static int port;
    private static Path dataDirectory;
    private static EmbeddedPostgres running;

    @Override
    public Map<String, String> start() {
        try {
            port = freePort();
            dataDirectory = Files.createTempDirectory("genledger-stoppable-pg");
            Files.delete(dataDirectory); // initdb wants to create it
            startDatabase();
            try (Connection c = running.getPostgresDatabase().getConnection()) {
                DatabaseRoles.create(c);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (SQLException e) {
            throw new IllegalStateException("could not create the database roles", e);
        }
        Map<String, String> config = new HashMap<>(DatabaseRoles.serviceCredentials());
        config.put("quarkus.datasource.jdbc.url", url());
        config.put("quarkus.datasource.admin.jdbc.url", url());
        return config;
    }

    public static String url() {
        return "jdbc:postgresql://localhost:" + port + "/postgres";
    }

    public static int port() {
        return port;
    }

    public static synchronized void startDatabase() throws IOException {
        if (running == null) {
            running = EmbeddedPostgres.builder().setPort(port).setDataDirectory(dataDirectory)
                    .setCleanDataDirectory(false).setServerConfig("max_connections", "100")
                    .setServerConfig("fsync", "off").start();
        }
    }

    /** A fast shutdown: sessions are terminated and new connections refused until {@link #startDatabase()}. */
    public static synchronized void stopDatabase() throws IOException {
        if (running != null) {
            running.close();
            running = null;
        }
    }

    @Override
    public void stop() {
        try {
            stopDatabase();
            if (dataDirectory != null) {
                try (var files = Files.walk(dataDirectory)) {
                    files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
