package dev.genledger.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.eclipse.microprofile.config.ConfigProvider;

/**
 * Direct connections to the service's database, outside its pool: to check what the API did and
 * to inject faults (locks, killed backends, rows moved back in time). They log in as the
 * superuser on purpose, which the service never is: the service's own role could do none of it.
 */
public final class Database {

    private static final Pattern MIGRATION = Pattern.compile("V(\\d+)__.*\\.sql");

    public static final String SUPERUSER = "postgres";

    private Database() {
    }

    /** The version of the newest migration script in the source tree: what the schema must be at. */
    public static String latestMigration() {
        try (Stream<Path> scripts = Files.list(Path.of("src/main/resources/db/migration"))) {
            return String.valueOf(scripts.map(p -> MIGRATION.matcher(p.getFileName().toString()))
                    .filter(Matcher::matches).mapToInt(m -> Integer.parseInt(m.group(1))).max().orElseThrow());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static Connection connect() throws SQLException {
        return connect(SUPERUSER);
    }

    /** A connection as {@code role}, over the service's URL (every test database trusts its clients). */
    public static Connection connect(String role) throws SQLException {
        var config = ConfigProvider.getConfig();
        java.util.Properties props = new java.util.Properties();
        props.setProperty("user", role);
        props.setProperty("password", role);
        // The same URL may lead through PgBouncer in transaction mode (-Ppgbouncer): no named statements.
        props.setProperty("prepareThreshold", "0");
        return DriverManager.getConnection(config.getValue("quarkus.datasource.jdbc.url", String.class), props);
    }

    /** The first column of the first row of a query, as a long (0 when there is no row). */
    public static long queryLong(String sql, Object... params) {
        try (Connection c = connect(); PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                ps.setObject(i + 1, params[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getLong(1) : 0;
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The first column of every row of a query, as longs. */
    public static List<Long> queryLongs(String sql, Object... params) {
        try (Connection c = connect(); PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                ps.setObject(i + 1, params[i]);
            }
            List<Long> values = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    values.add(rs.getLong(1));
                }
            }
            return values;
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    public static int execute(String sql, Object... params) {
        try (Connection c = connect(); PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                ps.setObject(i + 1, params[i]);
            }
            return ps.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Polls a query for a backend's pid until it returns one; fails with {@code what} after 5 s. */
    public static int awaitBackend(String sql, String what) throws SQLException, InterruptedException {
        long deadline = System.nanoTime() + 5_000_000_000L;
        try (Connection c = connect(); PreparedStatement ps = c.prepareStatement(sql)) {
            while (System.nanoTime() < deadline) {
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        return rs.getInt(1);
                    }
                }
                Thread.sleep(5);
            }
        }
        throw new AssertionError(what);
    }

    /** Waits until a backend has exited, e.g. one that found its client gone; fails after 10 s. */
    public static void awaitBackendGone(int pid) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (queryLong("SELECT count(*) FROM pg_stat_activity WHERE pid = ?", pid) > 0) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("backend " + pid + " still runs");
            }
            Thread.sleep(20);
        }
    }
}
