package dev.genledger.support;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

/**
 * One PostgreSQL shared by several packaged-jar replicas of a test (room for their pools), with
 * what the test reads back from it as the superuser.
 */
public final class ReplicaDatabase implements AutoCloseable {

    private final EmbeddedPostgres pg;
    private final String url;

    private ReplicaDatabase(EmbeddedPostgres pg) {
        this.pg = pg;
        this.url = "jdbc:postgresql://localhost:" + pg.getPort() + "/postgres";
    }

    public static ReplicaDatabase start() throws Exception {
        return new ReplicaDatabase(PackagedApp.database(150));
    }

    public String url() {
        return url;
    }

    /** The URL a replica connects with, named so the test can find its backends. */
    public String urlFor(String replica) {
        return url + "?ApplicationName=genledger-" + replica;
    }

    public Connection connect() throws SQLException {
        return DriverManager.getConnection(url, Database.SUPERUSER, Database.SUPERUSER);
    }

    /** The first column of the first row, as a long. */
    public long count(String sql) {
        try (Connection c = connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Waits for a replica's sweep to be caught mid-run (holding an advisory lock, {@code sweepLock}
     * or any when null, while it waits on a row lock the test holds), SIGKILLs that replica and
     * waits until its backends are gone. Returns the replica's application name, its key in
     * {@code replicas}.
     */
    public String killSweeperMidRun(Map<String, PackagedApp> replicas, Long sweepLock, Duration timeout)
            throws InterruptedException {
        String lock = sweepLock == null ? ""
                : " AND l.classid = " + (sweepLock >>> 32) + " AND l.objid = " + (sweepLock & 0xffffffffL);
        String query = "SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid"
                + " WHERE l.locktype = 'advisory' AND l.granted" + lock + " AND a.wait_event_type = 'Lock'"
                + " AND a.application_name LIKE 'genledger-%'";
        long deadline = System.nanoTime() + timeout.toNanos();
        String killed;
        while ((killed = first(query)) == null) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no sweep ran into the locked row within " + timeout);
            }
            Thread.sleep(20);
        }
        PackagedApp replica = replicas.get(killed);
        replica.close();
        if (replica.isAlive()) {
            throw new AssertionError(killed + " survived its SIGKILL");
        }
        while (count("SELECT count(*) FROM pg_stat_activity WHERE application_name = '" + killed + "'") > 0) {
            Thread.sleep(50);
        }
        return killed;
    }

    private String first(String sql) {
        try (Connection c = connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            return rs.next() ? rs.getString(1) : null;
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() throws Exception {
        pg.close();
    }
}
