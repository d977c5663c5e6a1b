package dev.genledger.insight;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Predicate;
import java.util.regex.Pattern;

import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.interceptor.Interceptor;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.genledger.api.ApiProblem;
import dev.genledger.api.Who;
import dev.genledger.audit.Auditor;
import dev.genledger.db.TranslateFailures;
import dev.genledger.limit.ContentQuotas;
import dev.genledger.limit.ContentUsage;
import dev.genledger.quiz.QuizEvents;
import dev.genledger.quiz.QuizService;
import dev.genledger.user.UserEvents;
import io.quarkus.panache.common.Sort;

/** Insights of a quiz: one per (quiz, type), created or replaced in place by one upsert. */
@ApplicationScoped
@TranslateFailures
public class InsightService {

    /** The upserted insight and whether it was created. */
    public record Upserted(InsightViews.Insight insight, boolean created) {
    }

    private static final Pattern TYPE = Pattern.compile("[a-z][a-z0-9_-]{0,39}");
    private static final int MAX_CONTENT_CHARS = 256 * 1024;

    @Inject
    EntityManager em;

    @Inject
    Auditor auditor;

    @Inject
    ObjectMapper json;

    @Inject
    ContentQuotas quotas;

    @Inject
    ContentUsage usage;

    @Inject
    QuizService quizzes;

    /** 400 unless the type is well formed and the content within its size, before anything is locked. */
    public static void check(String type, ObjectNode content) {
        if (!TYPE.matcher(type).matches()) {
            throw ApiProblem.badRequest("invalid-insight-type", "the type must match " + TYPE.pattern());
        }
        if (content.toString().length() > MAX_CONTENT_CHARS) {
            throw ApiProblem.badRequest("content-too-large", "content must be at most " + MAX_CONTENT_CHARS + " characters of JSON");
        }
    }

    /**
     * {@code INSERT ... ON CONFLICT (quiz_id, type) DO UPDATE}: concurrent PUTs of one type leave
     * one row (a racing insert that the snapshot cannot see fails with 40001 and is retried, then
     * updates). Empty when the quiz is not visible.
     */
    @Transactional
    public Optional<Upserted> put(UUID quizId, String type, ObjectNode content, Predicate<UUID> visibleTo, Who who) {
        auditor.tag(who);
        Optional<UUID> owner = quizzes.lockVisibleOwner(quizId, visibleTo);
        if (owner.isEmpty()) {
            return Optional.empty();
        }
        // "before" sees the row as it was: a new or revived (deleted) insight adds to the user's count.
        Object[] row = (Object[]) em.createNativeQuery("""
                WITH before AS (SELECT deleted_at IS NOT NULL AS deleted FROM insights WHERE quiz_id = :quiz AND type = :type)
                INSERT INTO insights AS i (id, quiz_id, user_id, type, content)
                VALUES (:id, :quiz, :owner, :type, CAST(:content AS jsonb))
                ON CONFLICT (quiz_id, type) DO UPDATE
                    SET content = excluded.content, status = 'READY', updated_at = now(), deleted_at = NULL
                RETURNING i.id, i.quiz_id, i.type, i.status, i.content::text, i.created_at, i.updated_at, (xmax = 0),
                          COALESCE((SELECT deleted FROM before), true)""")
                .setParameter("id", UUID.randomUUID()).setParameter("quiz", quizId)
                .setParameter("owner", owner.get()).setParameter("type", type).setParameter("content", write(content))
                .getSingleResult();
        if ((Boolean) row[8]) {
            long live = usage.liveInsights(owner.get());
            if (live > quotas.insightsPerUser()) {
                throw ContentQuotas.exceeded("insights", quotas.insightsPerUser());
            }
        }
        InsightViews.Insight insight = new InsightViews.Insight((UUID) row[0], (UUID) row[1], (String) row[2],
                (String) row[3], tree((String) row[4]), time(row[5]), time(row[6]));
        return Optional.of(new Upserted(insight, (Boolean) row[7]));
    }

    /** Who owns a live quiz: whose lock to take before changing its insights ({@link #put} checks the rest). */
    @Transactional(Transactional.TxType.SUPPORTS)
    public Optional<UUID> quizOwner(UUID quizId) {
        return quizzes.owner(quizId);
    }

    /** The live insights of a visible quiz, by type. */
    @Transactional(Transactional.TxType.SUPPORTS)
    public Optional<List<InsightViews.Insight>> list(UUID quizId, Predicate<UUID> visibleTo) {
        return quizzes.visibleOwner(quizId, visibleTo).map(owner -> Insight.<Insight>list("quizId", Sort.by("type"), quizId)
                .stream().map(this::view).toList());
    }

    /** Part of a quiz's deletion: its live insights go with it, with its timestamp (the transaction's). */
    void onQuizDeleted(@Observes QuizEvents.Deleted deleted) {
        Insight.delete("quizId", deleted.quizId());
    }

    /**
     * Part of a user's deletion: their live insights get the user's deletion time (the transaction's).
     * Before the quizzes go, and after they come back (the priorities), as a quiz's own delete does.
     */
    void onUserDeleted(@Observes @Priority(Interceptor.Priority.APPLICATION + 400) UserEvents.Deleted deleted) {
        Insight.delete("userId", deleted.userId());
    }

    /** Part of a user's restore: what was deleted with the user (same timestamp) comes back. */
    void onUserRestored(@Observes @Priority(Interceptor.Priority.APPLICATION + 600) UserEvents.Restored restored) {
        // Sees deleted rows, which no entity query does.
        em.createNativeQuery("UPDATE insights SET deleted_at = NULL WHERE user_id = :user AND deleted_at = :at")
                .setParameter("user", restored.userId()).setParameter("at", restored.deletedAt()).executeUpdate();
    }

    private InsightViews.Insight view(Insight i) {
        return new InsightViews.Insight(i.id, i.quizId, i.type, i.status, tree(i.content), i.createdAt, i.updatedAt);
    }

    private JsonNode tree(String content) {
        try {
            return json.readTree(content);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored content is not JSON", e);
        }
    }

    // Hibernate answers a native query's timestamptz as an Instant; the views carry offsets (UTC).
    private static OffsetDateTime time(Object column) {
        return ((Instant) column).atOffset(ZoneOffset.UTC);
    }

    private String write(ObjectNode content) {
        try {
            return json.writeValueAsString(content);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
