package dev.genledger.ops;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.regex.Pattern;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import dev.genledger.api.Page;
import dev.genledger.db.TranslateFailures;
import io.agroal.api.AgroalDataSource;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.agroal.DataSource;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;
import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * VACUUM (ANALYZE) of the hot tables and the refresh of the statistics views. VACUUM refuses to
 * run inside a transaction, so this runs on the admin pool in autocommit mode (hence no
 * {@code @Transactional}), bounded by that pool's statement timeout.
 * <p>
 * The service owns no table: it maintains them as a member of the maintenance role, which holds
 * PostgreSQL 17's MAINTAIN privilege. Before 17 only the owner may VACUUM, so there the VACUUM
 * steps are left to autovacuum; the views are refreshed by the owner's
 * {@code refresh_materialized_view} function on every version.
 */
@ApplicationScoped
@TranslateFailures
public class Maintenance {

    private static final Logger LOG = Logger.getLogger(Maintenance.class);
    private static final Pattern IDENTIFIER = Pattern.compile("[a-z_][a-z0-9_]{0,62}");

    @Inject
    @DataSource("admin")
    AgroalDataSource admin;

    @Inject
    MeterRegistry registry;

    @ConfigProperty(name = "genledger.maintenance.vacuum-tables")
    List<String> vacuumTables;

    @ConfigProperty(name = "genledger.maintenance.refresh-views")
    List<String> refreshViews;

    @RegisterForReflection

    public record Step(String action, String relation, long millis) {
    }

    @RegisterForReflection

    public record Optimized(List<Step> steps, long totalMillis) {
    }

    public Optimized optimize() throws SQLException {
        long started = System.nanoTime();
        List<Step> steps = new ArrayList<>();
        try (Connection c = admin.getConnection(); Statement s = c.createStatement()) {
            c.setAutoCommit(true);
            if (c.getMetaData().getDatabaseMajorVersion() >= 17) {
                for (String table : vacuumTables) {
                    steps.add(timed("VACUUM (ANALYZE)", table, () -> s.execute("VACUUM (ANALYZE) " + identifier(table))));
                }
            } else {
                LOG.infof("maintenance: VACUUM of %s left to autovacuum (PostgreSQL before 17 lets only the owner run it)",
                        vacuumTables);
            }
            for (String view : refreshViews) {
                steps.add(timed("REFRESH MATERIALIZED VIEW CONCURRENTLY", view, () -> refresh(c, identifier(view))));
            }
        }
        long total = (System.nanoTime() - started) / 1_000_000;
        LOG.infof("maintenance: %d steps in %d ms", steps.size(), total);
        registry.counter("genledger.maintenance.runs", "kind", "optimize").increment();
        return new Optimized(steps, total);
    }

    @RegisterForReflection

    public record UserStats(UUID userId, boolean deleted, long balance, long held, long creditsGranted,
            long creditsSpent, long creditsRefunded, long ledgerRows, java.time.Instant lastLedgerAt, long jobsPending,
            long jobsRunning, long jobsSucceeded, long jobsFailed, long jobsCancelled, long quizzes) {
    }

    /** A page of the materialized per-user statistics, as of their last refresh, by user id. */
    public Page<UserStats> userStats(String cursor, int limit) throws SQLException {
        UUID after = decode(cursor);
        List<UserStats> rows = new ArrayList<>();
        try (Connection c = admin.getConnection(); PreparedStatement ps = c.prepareStatement("""
                SELECT user_id, deleted, balance, held, credits_granted, credits_spent, credits_refunded, ledger_rows,
                       last_ledger_at, jobs_pending, jobs_running, jobs_succeeded, jobs_failed, jobs_cancelled, quizzes
                FROM user_stats WHERE user_id > ? ORDER BY user_id LIMIT ?""")) {
            ps.setObject(1, after == null ? new UUID(0, 0) : after);
            ps.setInt(2, limit + 1);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    java.sql.Timestamp last = rs.getTimestamp(9);
                    rows.add(new UserStats(rs.getObject(1, UUID.class), rs.getBoolean(2), rs.getLong(3), rs.getLong(4),
                            rs.getLong(5), rs.getLong(6), rs.getLong(7), rs.getLong(8), last == null ? null : last.toInstant(),
                            rs.getLong(10), rs.getLong(11), rs.getLong(12), rs.getLong(13), rs.getLong(14), rs.getLong(15)));
                }
            }
        }
        if (rows.size() <= limit) {
            return new Page<>(rows, null);
        }
        List<UserStats> items = List.copyOf(rows.subList(0, limit));
        return new Page<>(items, encode(items.get(limit - 1).userId()));
    }

    private static String encode(UUID position) {
        return java.util.Base64.getUrlEncoder().withoutPadding()
                .encodeToString(("u" + position).getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    private static UUID decode(String cursor) {
        if (cursor == null || cursor.isEmpty()) {
            return null;
        }
        try {
            String raw = new String(java.util.Base64.getUrlDecoder().decode(cursor), java.nio.charset.StandardCharsets.UTF_8);
            if (raw.startsWith("u")) {
                return UUID.fromString(raw.substring(1));
            }
        } catch (IllegalArgumentException invalid) {
            // falls through to the problem below
        }
        throw dev.genledger.api.ApiProblem.badRequest("invalid-cursor", "the cursor is not one this API returned");
    }

    private interface Sql {
        void run() throws SQLException;
    }

    private static Step timed(String action, String relation, Sql sql) throws SQLException {
        long t = System.nanoTime();
        sql.run();
        return new Step(action, relation, (System.nanoTime() - t) / 1_000_000);
    }

    private static void refresh(Connection c, String view) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT refresh_materialized_view(?)")) {
            ps.setString(1, view);
            ps.execute();
        }
    }

    private static String identifier(String name) {
        if (!IDENTIFIER.matcher(name).matches()) {
            throw new IllegalArgumentException("not a plain identifier: " + name);
        }
        return name;
    }
}
