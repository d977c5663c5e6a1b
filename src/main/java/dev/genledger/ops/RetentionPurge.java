package dev.genledger.ops;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import javax.sql.DataSource;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;

import dev.genledger.api.Who;
import dev.genledger.audit.Auditor;
import dev.genledger.db.TranslateFailures;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * Removes for good what was soft-deleted longer ago than the retention period, and audit
 * history older than its own retention. A purged user's row stays as an anonymised tombstone
 * (no email, external id or name), because their append-only ledger keeps referring to it; their
 * jobs, holds, quizzes and insights go, and the free text of their ledger and audit rows is
 * scrubbed. The service's role may neither delete nor change those rows itself: the work is done
 * by the schema owner's functions {@code purge_deleted} and {@code purge_audit_log} (V12).
 */
@ApplicationScoped
@TranslateFailures
public class RetentionPurge {

    /** Advisory lock key of the purge: one replica at a time. */
    static final long LOCK = 0x67656e6c70757267L;

    /** What one run removed; {@code ran} is false when another replica held the lock. */
    @RegisterForReflection
    public record Result(boolean ran, Map<String, Integer> purged) {
    }

    @Inject
    DataSource dataSource;

    @Inject
    Auditor auditor;

    @ConfigProperty(name = "genledger.retention.deleted", defaultValue = "30D")
    Duration deletedRetention;

    @ConfigProperty(name = "genledger.retention.audit", defaultValue = "90D")
    Duration auditRetention;

    @Transactional(rollbackOn = SQLException.class)
    public Result purge(Who who) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            try (PreparedStatement ps = c.prepareStatement("SELECT pg_try_advisory_xact_lock(?)")) {
                ps.setLong(1, LOCK);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    if (!rs.getBoolean(1)) {
                        return new Result(false, Map.of());
                    }
                }
            }
            auditor.tag(c, who);
            Map<String, Integer> purged = new LinkedHashMap<>();
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT users, jobs, quizzes, insights FROM purge_deleted(now() - make_interval(secs => ?))")) {
                ps.setDouble(1, deletedRetention.toMillis() / 1000.0);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    purged.put("insights", rs.getInt("insights"));
                    purged.put("quizzes", rs.getInt("quizzes"));
                    purged.put("jobs", rs.getInt("jobs"));
                    purged.put("users", rs.getInt("users"));
                }
            }
            try (PreparedStatement ps = c.prepareStatement("SELECT purge_audit_log(now() - make_interval(secs => ?))")) {
                ps.setDouble(1, auditRetention.toMillis() / 1000.0);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    purged.put("auditEntries", rs.getInt(1));
                }
            }
            auditor.adminAction(c, who, "retention-purge", "retention", null, "{" + String.join(", ",
                    purged.entrySet().stream().map(e -> "\"" + e.getKey() + "\": " + e.getValue()).toList()) + "}");
            return new Result(true, purged);
        }
    }
}
