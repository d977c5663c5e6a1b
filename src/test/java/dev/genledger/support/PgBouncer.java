package dev.genledger.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

import dev.genledger.db.DatabaseRoles;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

/**
 * An embedded PostgreSQL behind a PgBouncer (Debian's package) in transaction mode, started once
 * per JVM, and the means to restart the PgBouncer. The role carries the timeouts, since
 * PgBouncer does not pass the {@code options} startup parameter on.
 */
public final class PgBouncer {

    public record Addresses(String pooledUrl, String directUrl) {
    }

    private static final String STARTED = "genledger.pgbouncer.pooled-url";
    private static final String DIRECT = "genledger.pgbouncer.direct-url";
    private static final String DIR = "genledger.pgbouncer.dir";

    private PgBouncer() {
    }

    public static synchronized Addresses startOnce() {
        if (System.getProperty(STARTED) != null) {
            return new Addresses(System.getProperty(STARTED), System.getProperty(DIRECT));
        }
        try {
            String binary = Tools.require("pgbouncer", "pgbouncer");
            EmbeddedPostgres pg = EmbeddedPostgres.builder().setServerConfig("max_connections", "200")
                    .setServerConfig("fsync", "off").setServerConfig("synchronous_commit", "on").start();
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                stop();
                try {
                    pg.close();
                } catch (IOException ignored) {
                    // the JVM is going away
                }
            }, "pgbouncer-stop"));
            String direct = "jdbc:postgresql://localhost:" + pg.getPort() + "/postgres";
            try (Connection c = DriverManager.getConnection(direct, "postgres", "postgres");
                    Statement s = c.createStatement()) {
                DatabaseRoles.create(c);
                // What docs/operations.md prescribes for the service's role behind a pooler.
                s.execute("ALTER ROLE genledger SET statement_timeout = '2s'");
                s.execute("ALTER ROLE genledger SET lock_timeout = '1s'");
                s.execute("ALTER ROLE genledger SET idle_in_transaction_session_timeout = '10s'");
                // The pool's isolation level is session state (SET SESSION CHARACTERISTICS), lost
                // in transaction mode: without this, transactions would run at READ COMMITTED.
                s.execute("ALTER ROLE genledger SET default_transaction_isolation = 'repeatable read'");
            }
            Path dir = Files.createTempDirectory("genledger-pgbouncer",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxrwxrwx")));
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
            int port = freePort();
            Files.writeString(dir.resolve("userlist.txt"),
                    "\"postgres\" \"postgres\"\n\"genledger\" \"genledger\"\n\"genledger_owner\" \"genledger_owner\"\n");
            Files.writeString(dir.resolve("pgbouncer.ini"), """
                    [databases]
                    postgres = host=127.0.0.1 port=%d dbname=postgres
                    [pgbouncer]
                    listen_addr = 127.0.0.1
                    listen_port = %d
                    unix_socket_dir =
                    auth_type = trust
                    auth_file = %s/userlist.txt
                    admin_users = postgres
                    pool_mode = transaction
                    max_client_conn = 500
                    default_pool_size = 30
                    ignore_startup_parameters = extra_float_digits, options
                    server_reset_query =
                    logfile = %s/pgbouncer.log
                    pidfile = %s/pgbouncer.pid
                    """.formatted(pg.getPort(), port, dir, dir, dir));
            System.setProperty(DIR, dir.toString());
            System.setProperty("genledger.pgbouncer.binary", binary);
            System.setProperty("genledger.pgbouncer.port", String.valueOf(port));
            start();
            String pooled = "jdbc:postgresql://127.0.0.1:" + port + "/postgres";
            System.setProperty(DIRECT, direct);
            System.setProperty(STARTED, pooled);
            return new Addresses(pooled, direct);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    public static int port() {
        return Integer.getInteger("genledger.pgbouncer.port");
    }

    /** Starts the PgBouncer daemon and waits until it accepts connections. */
    public static void start() {
        Path dir = Path.of(System.getProperty(DIR));
        // PgBouncer refuses to run as root: -u drops to an unprivileged user.
        int exit = Tools.run(List.of(System.getProperty("genledger.pgbouncer.binary"), "-d", "-u", "nobody",
                dir.resolve("pgbouncer.ini").toString()), 30);
        if (exit != 0) {
            throw new IllegalStateException("pgbouncer did not start (exit " + exit + "), see " + dir + "/pgbouncer.log");
        }
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (true) {
            try (Socket ignored = new Socket("127.0.0.1", port())) {
                return;
            } catch (IOException notYet) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("pgbouncer is not listening on " + port());
                }
                sleep(10);
            }
        }
    }

    /** An immediate shutdown (SIGTERM): every client and server connection is dropped. */
    public static void stop() {
        String dir = System.getProperty(DIR);
        if (dir == null) {
            return;
        }
        try {
            Path pidFile = Path.of(dir, "pgbouncer.pid");
            if (!Files.exists(pidFile)) {
                return;
            }
            long pid = Long.parseLong(Files.readString(pidFile).trim());
            ProcessHandle.of(pid).ifPresent(p -> {
                p.destroy();
                long deadline = System.nanoTime() + 10_000_000_000L;
                while (p.isAlive() && System.nanoTime() < deadline) {
                    sleep(10);
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static void restart() {
        stop();
        start();
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
