package dev.genledger.quiz;

import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Predicate;

import javax.sql.DataSource;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.genledger.api.ApiProblem;
import dev.genledger.api.Cursor;
import dev.genledger.api.Page;
import dev.genledger.api.Who;
import dev.genledger.audit.Auditor;
import dev.genledger.db.TranslateFailures;
import dev.genledger.limit.ContentQuotas;
import dev.genledger.limit.ContentUsage;
import dev.genledger.user.UserEvents;

/**
 * Quizzes: create, read, change, soft delete, publish under an unguessable slug. A quiz is
 * visible only while it and its owner are live; its insights go and come back with it.
 */
@ApplicationScoped
@TranslateFailures
public class QuizService {

    // Created with the bean at run time: a static one would be seeded once, in the native image build.
    private final SecureRandom random = new SecureRandom();

    private static final String COLUMNS = """
            q.id, q.user_id, q.title, q.questions::text, q.slug, q.published_at, q.source_job_id, q.created_at,
            q.updated_at, q.seq""";

    static final String LIVE = "q.deleted_at IS NULL AND EXISTS (SELECT 1 FROM users u WHERE u.id = q.user_id AND u.deleted_at IS NULL)";

    @Inject
    DataSource dataSource;

    @Inject
    Auditor auditor;

    @Inject
    ObjectMapper json;

    @Inject
    ContentQuotas quotas;

    @Transactional(rollbackOn = SQLException.class)
    public Optional<QuizViews.Quiz> create(UUID userId, QuizRequests.Create request, Who who) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            auditor.tag(c, who);
            if (!lockLiveUser(c, userId)) {
                return Optional.empty();
            }
            if (request.sourceJobId() != null && !ownsJob(c, userId, request.sourceJobId())) {
                throw ApiProblem.badRequest("unknown-source-job", "sourceJobId is not one of this user's jobs");
            }
            UUID id = UUID.randomUUID();
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO quizzes (id, user_id, title, questions, source_job_id) VALUES (?, ?, ?, ?::jsonb, ?)")) {
                ps.setObject(1, id);
                ps.setObject(2, userId);
                ps.setString(3, request.title());
                ps.setString(4, write(request.questions()));
                ps.setObject(5, request.sourceJobId());
                ps.executeUpdate();
            }
            if (ContentUsage.liveQuizzes(c, userId) > quotas.quizzesPerUser()) {
                throw ContentQuotas.exceeded("quizzes", quotas.quizzesPerUser());
            }
            return Optional.of(one(c, "q.id = ?", id));
        }
    }

    @Transactional(rollbackOn = SQLException.class)
    public Optional<QuizViews.Quiz> get(UUID id, Predicate<UUID> visibleTo) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            return Optional.ofNullable(one(c, "q.id = ? AND " + LIVE, id)).filter(q -> visibleTo.test(q.userId()));
        }
    }

    /** A page of a live user's live quizzes, newest first; empty for an absent user. */
    @Transactional(rollbackOn = SQLException.class)
    public Optional<Page<QuizViews.Quiz>> list(UUID userId, String cursor, int limit) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM users WHERE id = ? AND deleted_at IS NULL")) {
                ps.setObject(1, userId);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        return Optional.empty();
                    }
                }
            }
            List<QuizViews.Quiz> rows = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM quizzes q "
                    + "WHERE q.user_id = ? AND q.deleted_at IS NULL AND q.seq < ? ORDER BY q.seq DESC LIMIT ?")) {
                ps.setObject(1, userId);
                ps.setLong(2, Cursor.decode(cursor));
                ps.setInt(3, limit + 1);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        rows.add(quiz(rs));
                    }
                }
            }
            return Optional.of(Page.of(rows, limit, QuizViews.Quiz::position));
        }
    }

    @Transactional(rollbackOn = SQLException.class)
    public Optional<QuizViews.Quiz> update(UUID id, QuizRequests.Patch patch, Predicate<UUID> visibleTo, Who who)
            throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            auditor.tag(c, who);
            if (lockVisible(c, id, visibleTo) == null) {
                return Optional.empty();
            }
            try (PreparedStatement ps = c.prepareStatement("""
                    UPDATE quizzes SET title = COALESCE(?, title), questions = COALESCE(?::jsonb, questions),
                                       updated_at = now()
                    WHERE id = ?
                    """)) {
                ps.setString(1, patch.title());
                ps.setString(2, patch.questions() == null ? null : write(patch.questions()));
                ps.setObject(3, id);
                ps.executeUpdate();
            }
            return Optional.of(one(c, "q.id = ?", id));
        }
    }

    /** Soft-deletes a live quiz and its insights (with one timestamp); false when not visible. */
    @Transactional(rollbackOn = SQLException.class)
    public boolean delete(UUID id, Predicate<UUID> visibleTo, Who who) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            auditor.tag(c, who);
            if (lockVisible(c, id, visibleTo) == null) {
                return false;
            }
            try (PreparedStatement ps = c.prepareStatement("""
                    WITH q AS (UPDATE quizzes SET deleted_at = now() WHERE id = ? RETURNING id)
                    UPDATE insights SET deleted_at = now() WHERE quiz_id IN (SELECT id FROM q) AND deleted_at IS NULL
                    """)) {
                ps.setObject(1, id);
                ps.executeUpdate();
            }
            return true;
        }
    }

    /**
     * Publishes a quiz under a random 128-bit slug (kept if it is already published). The slug is
     * unique by index; a collision, vanishingly unlikely, is a 409 the client may retry.
     */
    @Transactional(rollbackOn = SQLException.class)
    public Optional<QuizViews.Quiz> publish(UUID id, boolean publish, Predicate<UUID> visibleTo, Who who)
            throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            auditor.tag(c, who);
            QuizViews.Quiz quiz = lockVisible(c, id, visibleTo);
            if (quiz == null) {
                return Optional.empty();
            }
            if (publish == (quiz.slug() != null)) {
                return Optional.of(quiz);
            }
            try (PreparedStatement ps = c.prepareStatement(
                    "UPDATE quizzes SET slug = ?, published_at = CASE WHEN ? THEN now() END, updated_at = now() WHERE id = ?")) {
                ps.setString(1, publish ? newSlug() : null);
                ps.setBoolean(2, publish);
                ps.setObject(3, id);
                ps.executeUpdate();
            }
            return Optional.of(one(c, "q.id = ?", id));
        }
    }

    /** A published, live quiz as the public sees it. */
    @Transactional(rollbackOn = SQLException.class)
    public Optional<QuizViews.PublicQuiz> bySlug(String slug) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            return Optional.ofNullable(one(c, "q.slug = ? AND " + LIVE, slug)).map(QuizViews.PublicQuiz::from);
        }
    }

    /** Grades answers to a published, live quiz (see {@link Grading}); empty when there is none. */
    @Transactional(rollbackOn = SQLException.class)
    public Optional<QuizViews.Graded> grade(String slug, List<Integer> answers) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            QuizViews.Quiz quiz = one(c, "q.slug = ? AND " + LIVE, slug);
            return Optional.ofNullable(quiz).map(q -> Grading.grade(q.questions(), answers));
        }
    }

    /** Part of a user's deletion: their live quizzes and insights get the user's deletion time. */
    void onUserDeleted(@Observes UserEvents.Deleted deleted) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            for (String table : List.of("insights", "quizzes")) {
                try (PreparedStatement ps = c.prepareStatement(
                        "UPDATE " + table + " SET deleted_at = ? WHERE user_id = ? AND deleted_at IS NULL")) {
                    ps.setObject(1, deleted.deletedAt());
                    ps.setObject(2, deleted.userId());
                    ps.executeUpdate();
                }
            }
        }
    }

    /** Part of a user's restore: what was deleted with the user (same timestamp) comes back. */
    void onUserRestored(@Observes UserEvents.Restored restored) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            for (String table : List.of("quizzes", "insights")) {
                try (PreparedStatement ps = c.prepareStatement(
                        "UPDATE " + table + " SET deleted_at = NULL WHERE user_id = ? AND deleted_at = ?")) {
                    ps.setObject(1, restored.userId());
                    ps.setObject(2, restored.deletedAt());
                    ps.executeUpdate();
                }
            }
        }
    }

    /** Locks a visible quiz for a change (waits briefly; a long wait is a retried 55P03). */
    private QuizViews.Quiz lockVisible(Connection c, UUID id, Predicate<UUID> visibleTo) throws SQLException {
        QuizViews.Quiz quiz = one(c, "q.id = ? AND " + LIVE + " FOR UPDATE OF q", id);
        return quiz != null && visibleTo.test(quiz.userId()) ? quiz : null;
    }

    private static boolean lockLiveUser(Connection c, UUID userId) throws SQLException {
        // FOR KEY SHARE: blocks a concurrent delete of the user, not their credit updates.
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT 1 FROM users WHERE id = ? AND deleted_at IS NULL FOR KEY SHARE")) {
            ps.setObject(1, userId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    private static boolean ownsJob(Connection c, UUID userId, UUID jobId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM generation_jobs WHERE id = ? AND user_id = ?")) {
            ps.setObject(1, jobId);
            ps.setObject(2, userId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    private QuizViews.Quiz one(Connection c, String where, Object... params) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM quizzes q WHERE " + where)) {
            for (int i = 0; i < params.length; i++) {
                ps.setObject(i + 1, params[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? quiz(rs) : null;
            }
        }
    }

    private QuizViews.Quiz quiz(ResultSet rs) throws SQLException {
        try {
            return new QuizViews.Quiz(rs.getObject(1, UUID.class), rs.getObject(2, UUID.class), rs.getString(3),
                    json.readTree(rs.getString(4)), rs.getString(5), rs.getObject(6, OffsetDateTime.class),
                    rs.getObject(7, UUID.class), rs.getObject(8, OffsetDateTime.class),
                    rs.getObject(9, OffsetDateTime.class), rs.getLong(10));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored questions are not JSON", e);
        }
    }

    private String write(Object value) {
        try {
            return json.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private String newSlug() {
        byte[] bytes = new byte[16];
        random.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
