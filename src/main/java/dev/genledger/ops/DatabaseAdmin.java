package dev.genledger.ops;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import dev.genledger.db.FailureClassifier;
import dev.genledger.db.Sql;
import dev.genledger.db.TranslateFailures;
import io.agroal.api.AgroalDataSource;
import io.agroal.api.AgroalDataSource.FlushMode;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.agroal.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.MigrationInfo;
import org.jboss.logging.Logger;
import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * Database status for operators: version, pools, connections, table statistics, migrations, and
 * the pool flush. Reads go through the small admin pool (outside transactions, so no
 * {@code @Transactional} here), never the API's.
 */
@ApplicationScoped
@TranslateFailures
public class DatabaseAdmin {

    private static final Logger LOG = Logger.getLogger(DatabaseAdmin.class);

    @Inject
    AgroalDataSource api;

    @Inject
    @DataSource("admin")
    AgroalDataSource admin;

    @Inject
    DatabaseProbe probe;

    @Inject
    DatabaseHealth health;

    @Inject
    Flyway flyway;

    @Inject
    MeterRegistry registry;

    @RegisterForReflection

    public record Connections(String applicationName, String state, long count) {
    }

    @RegisterForReflection

    public record CircuitBreaker(String method, String state) {
    }

    @RegisterForReflection

    public record Status(String version, int versionNumber, String database, Map<String, String> sessionSettings,
            PoolState pool, PoolState adminPool, List<Connections> connections, long maxConnections,
            List<CircuitBreaker> circuitBreakers, DatabaseProbe.Result lastHealthCheck, String schemaVersion,
            int pendingMigrations, boolean draining) {
    }

    private record Server(String version, int versionNumber, String database, long maxConnections,
            List<Connections> connections) {
    }

    /**
     * Reads on the API pool, then on the admin pool, one after the other: holding an admin
     * connection while waiting for an API one would tie the admin pool up behind a saturated API
     * pool, and the status is what an operator reads in exactly that case.
     */
    public Status status() {
        Map<String, String> session = sessionSettings();
        Server server = Sql.onPool(admin, sql -> {
            List<Connections> connections = sql.list("""
                    SELECT coalesce(application_name, ''), coalesce(state, 'unknown'), count(*)
                    FROM pg_stat_activity WHERE datname = current_database() AND backend_type = 'client backend'
                    GROUP BY 1, 2 ORDER BY 1, 2""", rs -> new Connections(rs.getString(1), rs.getString(2), rs.getLong(3)));
            return sql.first("SELECT version(), current_setting('server_version_num')::int, current_database(),"
                    + " current_setting('max_connections')::bigint",
                    rs -> new Server(rs.getString(1), rs.getInt(2), rs.getString(3), rs.getLong(4), connections)).orElseThrow();
        });
        return new Status(server.version(), server.versionNumber(), server.database(), session, PoolState.of(api),
                PoolState.of(admin), server.connections(), server.maxConnections(), circuitBreakers(), probe.current(),
                health.schemaVersion(), health.pendingMigrations(), health.draining());
    }

    /**
     * The timeouts an API connection really runs with (from startup options or the role); null when
     * the API pool has no connection free within its acquisition timeout, so that a saturated
     * replica still answers the rest.
     */
    private Map<String, String> sessionSettings() {
        try {
            return Sql.onPool(api, DatabaseAdmin::sessionSettings);
        } catch (Sql.SqlFailure e) {
            if (FailureClassifier.classify(e).kind() == FailureClassifier.Kind.POOL_EXHAUSTED) {
                return null;
            }
            throw e;
        }
    }

    private static Map<String, String> sessionSettings(Sql.Connected sql) {
        Map<String, String> settings = new TreeMap<>();
        sql.list("""
                SELECT name, setting || coalesce(unit, '') FROM pg_settings
                WHERE name IN ('statement_timeout', 'lock_timeout', 'idle_in_transaction_session_timeout',
                               'default_transaction_isolation')""", rs -> settings.put(rs.getString(1), rs.getString(2)));
        return settings;
    }

    /** The state of every circuit breaker that has been used, from fault tolerance's own gauge. */
    List<CircuitBreaker> circuitBreakers() {
        List<CircuitBreaker> states = new ArrayList<>();
        for (Gauge g : registry.find("ft.circuitbreaker.state.current").gauges()) {
            if (g.value() >= 1.0) {
                states.add(new CircuitBreaker(shortMethod(g.getId().getTag("method")), g.getId().getTag("state")));
            }
        }
        states.sort(java.util.Comparator.comparing(CircuitBreaker::method));
        return states;
    }

    private static String shortMethod(String method) {
        return method == null ? "" : method.replace("dev.genledger.", "");
    }

    @RegisterForReflection

    public record Flush(long idleClosed, PoolState before, PoolState after) {
    }

    /**
     * Closes every idle connection and opens the pool's minimum again (after a pooler restart or
     * a failover, so no request meets a dead connection). Connections in use are left alone.
     */
    public Flush flushPool() throws InterruptedException {
        PoolState before = PoolState.of(api);
        // GRACEFUL: idle connections are closed now, those in use when they are returned, so an
        // in-flight request finishes on the connection it has. Agroal flushes asynchronously.
        api.flush(FlushMode.GRACEFUL);
        long deadline = System.nanoTime() + 2_000_000_000L;
        while (api.getMetrics().destroyCount() < before.destroyed() + before.available() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        api.flush(FlushMode.FILL);
        while (api.getMetrics().availableCount() + api.getMetrics().activeCount() < before.minSize()
                && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        PoolState after = PoolState.of(api);
        long closed = after.destroyed() - before.destroyed();
        LOG.infof("pool flushed by an operator: %d idle connections closed, %d in use will be on return", closed,
                before.active());
        registry.counter("genledger.pool.flushes").increment();
        return new Flush(closed, before, after);
    }

    @RegisterForReflection

    public record TableStats(String table, long rowEstimate, long liveRows, long deadRows, long totalBytes,
            long tableBytes, long indexBytes, Instant lastVacuum, Instant lastAutovacuum, Instant lastAnalyze,
            Instant lastAutoanalyze, long sequentialScans, long indexScans, List<IndexStats> indexes) {
    }

    @RegisterForReflection

    public record IndexStats(String index, long scans, long tuplesRead, long bytes, boolean unique) {
    }

    public List<TableStats> statistics() {
        return Sql.onPool(admin, DatabaseAdmin::statistics);
    }

    private static List<TableStats> statistics(Sql.Connected sql) {
        Map<String, List<IndexStats>> indexes = new TreeMap<>();
        sql.list("""
                SELECT s.relname, s.indexrelname, s.idx_scan, s.idx_tup_read, pg_relation_size(s.indexrelid), i.indisunique
                FROM pg_stat_user_indexes s JOIN pg_index i ON i.indexrelid = s.indexrelid
                WHERE s.schemaname = current_schema() ORDER BY s.relname, s.indexrelname""",
                rs -> indexes.computeIfAbsent(rs.getString(1), k -> new ArrayList<>()).add(new IndexStats(
                        rs.getString(2), rs.getLong(3), rs.getLong(4), rs.getLong(5), rs.getBoolean(6))));
        return sql.list("""
                SELECT s.relname, greatest(c.reltuples, 0)::bigint, s.n_live_tup, s.n_dead_tup,
                       pg_total_relation_size(s.relid), pg_relation_size(s.relid), pg_indexes_size(s.relid),
                       s.last_vacuum, s.last_autovacuum, s.last_analyze, s.last_autoanalyze,
                       coalesce(s.seq_scan, 0), coalesce(s.idx_scan, 0)
                FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid
                WHERE s.schemaname = current_schema() ORDER BY s.relname""", rs -> {
            String table = rs.getString(1);
            return new TableStats(table, rs.getLong(2), rs.getLong(3), rs.getLong(4), rs.getLong(5), rs.getLong(6),
                    rs.getLong(7), instant(rs.getTimestamp(8)), instant(rs.getTimestamp(9)),
                    instant(rs.getTimestamp(10)), instant(rs.getTimestamp(11)), rs.getLong(12), rs.getLong(13),
                    indexes.getOrDefault(table, List.of()));
        });
    }

    @RegisterForReflection

    public record Migration(String version, String description, String type, String script, Integer checksum,
            String state, Instant installedOn, Integer executionMillis, String installedBy) {
    }

    @RegisterForReflection

    public record Migrations(String current, int applied, int pending, List<Migration> migrations) {
    }

    public Migrations migrations() {
        var info = flyway.info();
        List<Migration> all = new ArrayList<>();
        int applied = 0;
        for (MigrationInfo m : info.all()) {
            if (m.getState().isApplied()) {
                applied++;
            }
            all.add(new Migration(m.getVersion() == null ? null : m.getVersion().getVersion(), m.getDescription(),
                    m.getType().name(), m.getScript(), m.getChecksum(), m.getState().getDisplayName(),
                    m.getInstalledOn() == null ? null : m.getInstalledOn().toInstant(), m.getExecutionTime(),
                    m.getInstalledBy()));
        }
        return new Migrations(info.current() == null ? null : info.current().getVersion().getVersion(), applied,
                info.pending().length, all);
    }

    private static Instant instant(Timestamp t) {
        return t == null ? null : t.toInstant();
    }
}
