package dev.genledger.ops;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

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
 * jobs, holds, quizzes and insights go, and their audit rows lose the personal fields.
 */
@ApplicationScoped
@TranslateFailures
public class RetentionPurge {

    /** Advisory lock key of the purge: one replica at a time. */
    static final long LOCK = 0x67656e6c70757267L;

    private static final String[] PERSONAL = { "email", "external_id", "display_name" };

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
            double deletedSecs = deletedRetention.toMillis() / 1000.0;
            Map<String, Integer> purged = new LinkedHashMap<>();
            List<UUID> users = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("""
                    SELECT id FROM users
                    WHERE deleted_at < now() - make_interval(secs => ?) AND purged_at IS NULL
                    ORDER BY deleted_at FOR UPDATE SKIP LOCKED
                    """)) {
                ps.setDouble(1, deletedSecs);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        users.add(rs.getObject(1, UUID.class));
                    }
                }
            }
            UUID[] ids = users.toArray(UUID[]::new);
            purged.put("insights", update(c, """
                    DELETE FROM insights
                    WHERE user_id = ANY (?) OR deleted_at < now() - make_interval(secs => ?)
                       OR quiz_id IN (SELECT id FROM quizzes WHERE deleted_at < now() - make_interval(secs => ?))
                    """, ids, deletedSecs, deletedSecs));
            purged.put("quizzes", update(c,
                    "DELETE FROM quizzes WHERE user_id = ANY (?) OR deleted_at < now() - make_interval(secs => ?)",
                    ids, deletedSecs));
            update(c, "DELETE FROM job_transitions WHERE job_id IN (SELECT id FROM generation_jobs WHERE user_id = ANY (?))", (Object) ids);
            update(c, "DELETE FROM credit_holds WHERE user_id = ANY (?)", (Object) ids);
            purged.put("jobs", update(c, "DELETE FROM generation_jobs WHERE user_id = ANY (?)", (Object) ids));
            purged.put("users", update(c, """
                    UPDATE users SET email = 'purged-' || id || '@purged.invalid', external_id = NULL,
                                     display_name = NULL, purged_at = now()
                    WHERE id = ANY (?)
                    """, (Object) ids));
            update(c, """
                    UPDATE audit_log SET old_values = old_values - ?::text[], new_values = new_values - ?::text[]
                    WHERE user_id = ANY (?) AND entity = 'user'
                    """, PERSONAL, PERSONAL, ids);
            purged.put("auditEntries", update(c, "DELETE FROM audit_log WHERE at < now() - make_interval(secs => ?)",
                    auditRetention.toMillis() / 1000.0));
            auditor.adminAction(c, who, "retention-purge", "retention", null, "{" + String.join(", ",
                    purged.entrySet().stream().map(e -> "\"" + e.getKey() + "\": " + e.getValue()).toList()) + "}");
            return new Result(true, purged);
        }
    }

    private static int update(Connection c, String sql, Object... params) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                Object p = params[i];
                if (p instanceof UUID[] uuids) {
                    ps.setArray(i + 1, c.createArrayOf("uuid", uuids));
                } else if (p instanceof String[] strings) {
                    ps.setArray(i + 1, c.createArrayOf("text", strings));
                } else {
                    ps.setObject(i + 1, p);
                }
            }
            return ps.executeUpdate();
        }
    }
}
