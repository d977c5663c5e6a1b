package dev.genledger.insight;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Predicate;

import javax.sql.DataSource;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.genledger.api.Who;
import dev.genledger.audit.Auditor;
import dev.genledger.db.TranslateFailures;
import dev.genledger.limit.ContentQuotas;
import dev.genledger.limit.ContentUsage;

/** Insights of a quiz: one per (quiz, type), created or replaced in place by one upsert. */
@ApplicationScoped
@TranslateFailures
public class InsightService {

    /** The upserted insight and whether it was created. */
    public record Upserted(InsightViews.Insight insight, boolean created) {
    }

    private static final String COLUMNS = "i.id, i.quiz_id, i.type, i.status, i.content::text, i.created_at, i.updated_at";

    @Inject
    DataSource dataSource;

    @Inject
    Auditor auditor;

    @Inject
    ObjectMapper json;

    @Inject
    ContentQuotas quotas;

    /**
     * {@code INSERT ... ON CONFLICT (quiz_id, type) DO UPDATE}: concurrent PUTs of one type leave
     * one row (a racing insert that the snapshot cannot see fails with 40001 and is retried, then
     * updates). Empty when the quiz is not visible.
     */
    @Transactional(rollbackOn = SQLException.class)
    public Optional<Upserted> put(UUID quizId, String type, ObjectNode content, Predicate<UUID> visibleTo, Who who)
            throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            auditor.tag(c, who);
            UUID owner = lockVisibleQuiz(c, quizId, visibleTo);
            if (owner == null) {
                return Optional.empty();
            }
            Upserted upserted;
            boolean counted;
            // "before" sees the row as it was: a new or revived (deleted) insight adds to the user's count.
            try (PreparedStatement ps = c.prepareStatement("""
                    WITH before AS (SELECT deleted_at IS NULL AS live FROM insights WHERE quiz_id = ? AND type = ?)
                    INSERT INTO insights AS i (id, quiz_id, user_id, type, content) VALUES (?, ?, ?, ?, ?::jsonb)
                    ON CONFLICT (quiz_id, type) DO UPDATE
                        SET content = excluded.content, status = 'READY', updated_at = now(), deleted_at = NULL
                    RETURNING\s""" + COLUMNS + ", (xmax = 0), NOT COALESCE((SELECT live FROM before), false)")) {
                ps.setObject(1, quizId);
                ps.setString(2, type);
                ps.setObject(3, UUID.randomUUID());
                ps.setObject(4, quizId);
                ps.setObject(5, owner);
                ps.setString(6, type);
                ps.setString(7, json.writeValueAsString(content));
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    upserted = new Upserted(insight(rs), rs.getBoolean(8));
                    counted = rs.getBoolean(9);
                }
            } catch (JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
            if (counted && ContentUsage.liveInsights(c, owner) > quotas.insightsPerUser()) {
                throw ContentQuotas.exceeded("insights", quotas.insightsPerUser());
            }
            return Optional.of(upserted);
        }
    }

    /** Who owns a quiz, deleted or not: whose lock to take before changing its insights. */
    @Transactional(rollbackOn = SQLException.class)
    public Optional<UUID> quizOwner(UUID quizId) throws SQLException {
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement("SELECT user_id FROM quizzes WHERE id = ?")) {
            ps.setObject(1, quizId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(rs.getObject(1, UUID.class)) : Optional.empty();
            }
        }
    }

    /** The live insights of a visible quiz, by type. */
    @Transactional(rollbackOn = SQLException.class)
    public Optional<List<InsightViews.Insight>> list(UUID quizId, Predicate<UUID> visibleTo) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            if (visibleQuizOwner(c, quizId, visibleTo, "") == null) {
                return Optional.empty();
            }
            List<InsightViews.Insight> rows = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT " + COLUMNS + " FROM insights i WHERE i.quiz_id = ? AND i.deleted_at IS NULL ORDER BY i.type")) {
                ps.setObject(1, quizId);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        rows.add(insight(rs));
                    }
                }
            }
            return Optional.of(rows);
        }
    }

    // FOR SHARE: a concurrent delete of the quiz waits for the insight, or the insight for it.
    private static UUID lockVisibleQuiz(Connection c, UUID quizId, Predicate<UUID> visibleTo) throws SQLException {
        return visibleQuizOwner(c, quizId, visibleTo, " FOR SHARE OF q");
    }

    private static UUID visibleQuizOwner(Connection c, UUID quizId, Predicate<UUID> visibleTo, String lock)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                SELECT q.user_id FROM quizzes q
                WHERE q.id = ? AND q.deleted_at IS NULL
                  AND EXISTS (SELECT 1 FROM users u WHERE u.id = q.user_id AND u.deleted_at IS NULL)""" + lock)) {
            ps.setObject(1, quizId);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return null;
                }
                UUID owner = rs.getObject(1, UUID.class);
                return visibleTo.test(owner) ? owner : null;
            }
        }
    }

    private InsightViews.Insight insight(ResultSet rs) throws SQLException {
        try {
            return new InsightViews.Insight(rs.getObject(1, UUID.class), rs.getObject(2, UUID.class), rs.getString(3),
                    rs.getString(4), json.readTree(rs.getString(5)), rs.getObject(6, OffsetDateTime.class),
                    rs.getObject(7, OffsetDateTime.class));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored content is not JSON", e);
        }
    }
}
