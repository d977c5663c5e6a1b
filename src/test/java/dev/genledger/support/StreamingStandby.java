package dev.genledger.support;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import dev.genledger.db.DatabaseRoles;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * A primary and a hot standby streaming from it, made the way operators make one: Debian's
 * PostgreSQL 15 (installed when missing), {@code initdb}, {@code pg_basebackup -R}, both run as the
 * postgres user (PostgreSQL refuses root) on ports 19201 and 19202. The service gets the primary as
 * its datasource and the standby as its {@code replica}; tests pause and resume the standby's replay
 * or stop it, and read either server directly as the superuser.
 */
public class StreamingStandby implements QuarkusTestResourceLifecycleManager {

    public static final int PRIMARY_PORT = 19201;
    public static final int STANDBY_PORT = 19202;
    private static final String BIN = "/usr/lib/postgresql/15/bin/";

    private static Path dir;

    @Override
    public Map<String, String> start() {
        if (!new File(BIN + "pg_basebackup").canExecute()) {
            Tools.run(List.of("sh", "-c", "apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq"
                    + " postgresql-15 >/dev/null"), 900);
        }
        try {
            dir = Files.createTempDirectory("genledger-standby");
            sh("chown postgres " + dir);
            postgres("initdb", "-D", dir + "/primary", "-U", "postgres", "--auth=trust");
            Files.writeString(dir.resolve("primary/postgresql.conf"), """
                    listen_addresses = '127.0.0.1'
                    unix_socket_directories = '%s'
                    max_connections = 100
                    wal_level = replica
                    max_wal_senders = 4
                    fsync = off
                    synchronous_commit = on
                    hot_standby = on
                    """.formatted(dir), java.nio.file.StandardOpenOption.APPEND);
            start("primary", PRIMARY_PORT);
            try (Connection c = connect(PRIMARY_PORT)) {
                DatabaseRoles.create(c);
            }
            postgres(BIN + "pg_basebackup", "-h", "127.0.0.1", "-p", String.valueOf(PRIMARY_PORT), "-U", "postgres",
                    "-D", dir + "/standby", "-R", "-X", "stream");
            startStandby();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (SQLException e) {
            throw new IllegalStateException("could not create the database roles", e);
        }
        Map<String, String> config = new HashMap<>(DatabaseRoles.serviceCredentials());
        config.put("quarkus.datasource.jdbc.url", url(PRIMARY_PORT));
        config.put("quarkus.datasource.admin.jdbc.url", url(PRIMARY_PORT));
        config.put("quarkus.datasource.replica.jdbc.url", url(STANDBY_PORT));
        return config;
    }

    @Override
    public void stop() {
        if (dir != null) {
            for (String server : List.of("standby", "primary")) {
                Tools.run(List.of("runuser", "-u", "postgres", "--", BIN + "pg_ctl", "-D", dir + "/" + server, "stop",
                        "-m", "immediate"), 60);
            }
            sh("rm -rf " + dir);
        }
    }

    public static String url(int port) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/postgres";
    }

    /** A superuser connection to one of the two servers. */
    public static Connection connect(int port) throws SQLException {
        return DriverManager.getConnection(url(port), Database.SUPERUSER, "");
    }

    /** Stops applying the primary's WAL (it is still received): the standby's data stands still. */
    public static void pauseReplay() throws SQLException, InterruptedException {
        query(STANDBY_PORT, "SELECT pg_wal_replay_pause()");
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!"paused".equals(query(STANDBY_PORT, "SELECT pg_get_wal_replay_pause_state()"))) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the standby's replay did not pause");
            }
            Thread.sleep(10);
        }
    }

    public static void resumeReplay() throws SQLException {
        query(STANDBY_PORT, "SELECT pg_wal_replay_resume()");
    }

    /** Waits until the standby has replayed everything the primary has written so far. */
    public static void awaitCaughtUp() throws SQLException, InterruptedException {
        String target = query(PRIMARY_PORT, "SELECT pg_current_wal_insert_lsn()::text");
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!"true".equals(query(STANDBY_PORT, "SELECT (pg_last_wal_replay_lsn() >= '" + target + "'::pg_lsn)::text"))) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the standby did not catch up to " + target);
            }
            Thread.sleep(10);
        }
    }

    /** A fast shutdown of the standby: its connections are cut and new ones refused. */
    public static void stopStandby() {
        pgCtl("standby", "stop", "-m", "fast");
    }

    public static void startStandby() {
        start("standby", STANDBY_PORT);
    }

    /** The first column of the first row of {@code sql} on one server, as text. */
    public static String query(int port, String sql) throws SQLException {
        try (Connection c = connect(port); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            return rs.next() ? rs.getString(1) : null;
        }
    }

    private static void start(String server, int port) {
        pgCtl(server, "start", "-w", "-o", "-p " + port, "-l", dir + "/" + server + ".log");
    }

    private static void pgCtl(String server, String... args) {
        List<String> command = new ArrayList<>(List.of(BIN + "pg_ctl", "-D", dir + "/" + server));
        command.addAll(List.of(args));
        postgres(command.toArray(String[]::new));
    }

    private static void postgres(String... command) {
        List<String> asPostgres = new ArrayList<>(List.of("runuser", "-u", "postgres", "--"));
        asPostgres.add(command[0].startsWith("/") ? command[0] : BIN + command[0]);
        asPostgres.addAll(List.of(command).subList(1, command.length));
        if (Tools.run(asPostgres, 120) != 0) {
            throw new IllegalStateException("failed: " + asPostgres);
        }
    }

    private static void sh(String command) {
        Tools.run(List.of("sh", "-c", command), 60);
    }
}
