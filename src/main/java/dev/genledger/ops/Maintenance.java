package dev.genledger.ops;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.regex.Pattern;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import dev.genledger.api.Cursor;
import dev.genledger.api.Page;
import dev.genledger.db.Sql;
import dev.genledger.db.TranslateFailures;
import io.agroal.api.AgroalDataSource;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.agroal.DataSource;
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

    @Inject
    MaintenanceConfig config;

    @RegisterForReflection
    public record Step(String action, String relation, long millis) {
    }

    @RegisterForReflection
    public record Optimized(List<Step> steps, long totalMillis) {
    }

    public Optimized optimize() {
        long started = System.nanoTime();
        List<Step> steps = Sql.onPool(admin, this::optimize);
        long total = (System.nanoTime() - started) / 1_000_000;
        LOG.infof("maintenance: %d steps in %d ms", steps.size(), total);
        registry.counter("genledger.maintenance.runs", "kind", "optimize").increment();
        return new Optimized(steps, total);
    }

    private List<Step> optimize(Sql.Connected sql) {
        List<Step> steps = new ArrayList<>();
        int major = sql.first("SELECT current_setting('server_version_num')::int / 10000", rs -> rs.getInt(1)).orElseThrow();
        if (major >= 17) {
            for (String table : config.vacuumTables()) {
                steps.add(timed("VACUUM (ANALYZE)", table, () -> sql.execute("VACUUM (ANALYZE) " + identifier(table))));
            }
        } else {
            LOG.infof("maintenance: VACUUM of %s left to autovacuum (PostgreSQL before 17 lets only the owner run it)",
                    config.vacuumTables());
        }
        for (String view : config.refreshViews()) {
            steps.add(timed("REFRESH MATERIALIZED VIEW CONCURRENTLY", view,
                    () -> sql.first("SELECT refresh_materialized_view(?)", rs -> true, identifier(view))));
        }
        return steps;
    }

    @RegisterForReflection
    public record UserStats(UUID userId, boolean deleted, long balance, long held, long creditsGranted,
            long creditsSpent, long creditsRefunded, long ledgerRows, java.time.Instant lastLedgerAt, long jobsPending,
            long jobsRunning, long jobsSucceeded, long jobsFailed, long jobsCancelled, long quizzes) {
    }

    /** A page of the materialized per-user statistics, as of their last refresh, by user id. */
    public Page<UserStats> userStats(String cursor, int limit) {
        UUID after = Cursor.decodeId(cursor);
        List<UserStats> rows = Sql.onPool(admin, sql -> userStats(sql, after, limit + 1));
        if (rows.size() <= limit) {
            return new Page<>(rows, null);
        }
        List<UserStats> items = List.copyOf(rows.subList(0, limit));
        return new Page<>(items, Cursor.encodeId(items.get(limit - 1).userId()));
    }

    private static List<UserStats> userStats(Sql.Connected sql, UUID after, int rowLimit) {
        return sql.list("""
                SELECT user_id, deleted, balance, held, credits_granted, credits_spent, credits_refunded, ledger_rows,
                       last_ledger_at, jobs_pending, jobs_running, jobs_succeeded, jobs_failed, jobs_cancelled, quizzes
                FROM user_stats WHERE user_id > ? ORDER BY user_id LIMIT ?""", rs -> {
            java.sql.Timestamp last = rs.getTimestamp(9);
            return new UserStats(rs.getObject(1, UUID.class), rs.getBoolean(2), rs.getLong(3), rs.getLong(4),
                    rs.getLong(5), rs.getLong(6), rs.getLong(7), rs.getLong(8), last == null ? null : last.toInstant(),
                    rs.getLong(10), rs.getLong(11), rs.getLong(12), rs.getLong(13), rs.getLong(14), rs.getLong(15));
        }, after == null ? new UUID(0, 0) : after, rowLimit);
    }

    private static Step timed(String action, String relation, Runnable statement) {
        long t = System.nanoTime();
        statement.run();
        return new Step(action, relation, (System.nanoTime() - t) / 1_000_000);
    }

    private static String identifier(String name) {
        if (!IDENTIFIER.matcher(name).matches()) {
            throw new IllegalArgumentException("not a plain identifier: " + name);
        }
        return name;
    }
}
