package dev.genledger.quiz;

import java.security.SecureRandom;
import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Predicate;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.persistence.LockModeType;
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
import dev.genledger.user.LiveUsers;
import dev.genledger.user.UserEvents;
import io.quarkus.panache.common.Sort;

/**
 * Quizzes: create, read, change, soft delete, publish under an unguessable slug. A quiz is
 * visible only while it and its owner are live; its insights go and come back with it.
 */
@ApplicationScoped
@TranslateFailures
public class QuizService {

    // Created with the bean at run time: a static one would be seeded once, in the native image build.
    private final SecureRandom random = new SecureRandom();

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
    LiveUsers users;

    @Inject
    Event<QuizEvents.Deleted> deleted;

    /** Saves a live user's quiz; a {@code sourceJobId} not one of the user's jobs is refused by its foreign key (V34). */
    @Transactional
    public Optional<QuizViews.Quiz> create(UUID userId, QuizRequests.Create request, Who who) {
        return save(UUID.randomUUID(), userId, request, request.sourceJobId(), who);
    }

    /**
     * Saves the quiz a job delivers as it succeeds, under the id the job's capture already refers
     * to, in the caller's transaction: the charge and the quiz commit together or not at all.
     */
    @Transactional(Transactional.TxType.MANDATORY)
    public QuizViews.Quiz deliver(UUID id, UUID userId, UUID jobId, QuizRequests.Create request, Who who) {
        return save(id, userId, request, jobId, who).orElseThrow(() -> ApiProblem.notFound("user " + userId));
    }

    private Optional<QuizViews.Quiz> save(UUID id, UUID userId, QuizRequests.Create request, UUID sourceJobId, Who who) {
        auditor.tag(who);
        // Blocks a concurrent change of the user's key, not their credit updates.
        if (!users.lock(userId)) {
            return Optional.empty();
        }
        Quiz quiz = new Quiz();
        quiz.id = id;
        quiz.userId = userId;
        quiz.title = request.title();
        quiz.questions = write(request.questions());
        quiz.sourceJobId = sourceJobId;
        quiz.persist();
        quiz.flush();
        long live = usage.liveQuizzes(userId);
        if (live > quotas.quizzesPerUser()) {
            throw ContentQuotas.exceeded("quizzes", quotas.quizzesPerUser());
        }
        return Optional.of(stored(quiz));
    }

    @Transactional(Transactional.TxType.SUPPORTS)
    public Optional<QuizViews.Quiz> get(UUID id, Predicate<UUID> visibleTo) {
        return Optional.ofNullable(visible(Quiz.findById(id), visibleTo)).map(this::view);
    }

    /** A page of a live user's live quizzes, newest first; 404 for an absent user. */
    @Transactional(Transactional.TxType.SUPPORTS)
    public Page<QuizViews.Quiz> list(UUID userId, String cursor, int limit) {
        users.require(userId);
        List<Quiz> rows = Quiz.<Quiz>find("userId = ?1 and seq < ?2", Sort.descending("seq"), userId,
                Cursor.decode(cursor)).range(0, limit).list();
        return Page.of(rows.stream().map(this::view).toList(), limit, QuizViews.Quiz::position);
    }

    @Transactional
    public Optional<QuizViews.Quiz> update(UUID id, QuizRequests.Patch patch, Predicate<UUID> visibleTo, Who who) {
        auditor.tag(who);
        Quiz quiz = lockVisible(id, visibleTo);
        if (quiz == null) {
            return Optional.empty();
        }
        if (patch.title() != null) {
            quiz.title = patch.title();
        }
        if (patch.questions() != null) {
            quiz.questions = write(patch.questions());
        }
        return Optional.of(stored(quiz));
    }

    /** Soft-deletes a live quiz and its insights (with one timestamp); false when not visible. */
    @Transactional
    public boolean delete(UUID id, Predicate<UUID> visibleTo, Who who) {
        auditor.tag(who);
        Quiz quiz = lockVisible(id, visibleTo);
        if (quiz == null) {
            return false;
        }
        quiz.delete();
        // Now, not at commit: the audit trail has the quiz go before its insights.
        quiz.flush();
        deleted.fire(new QuizEvents.Deleted(id));
        return true;
    }

    /**
     * Publishes a quiz under a random 128-bit slug (kept if it is already published). The slug is
     * unique by index; a collision, vanishingly unlikely, is a 409 the client may retry.
     */
    @Transactional
    public Optional<QuizViews.Quiz> publish(UUID id, boolean publish, Predicate<UUID> visibleTo, Who who) {
        auditor.tag(who);
        Quiz quiz = lockVisible(id, visibleTo);
        if (quiz == null) {
            return Optional.empty();
        }
        if (publish != (quiz.slug != null)) {
            quiz.slug = publish ? newSlug() : null;
            quiz.publishedAt = publish ? OffsetDateTime.now().truncatedTo(ChronoUnit.MICROS) : null;
        }
        return Optional.of(stored(quiz));
    }

    /** A published, live quiz as the public sees it. */
    @Transactional(Transactional.TxType.SUPPORTS)
    public Optional<QuizViews.PublicQuiz> bySlug(String slug) {
        return published(slug).map(QuizViews.PublicQuiz::from);
    }

    /** Grades answers to a published, live quiz (see {@link Grading}); empty when there is none. */
    @Transactional(Transactional.TxType.SUPPORTS)
    public Optional<QuizViews.Graded> grade(String slug, List<Integer> answers) {
        return published(slug).map(q -> Grading.grade(q.questions(), answers));
    }

    /**
     * The owner of a visible quiz, locked FOR SHARE until the transaction ends: a concurrent delete
     * of the quiz waits for the caller's change, or the change for the delete. Empty when not visible.
     */
    @Transactional(Transactional.TxType.MANDATORY)
    public Optional<UUID> lockVisibleOwner(UUID id, Predicate<UUID> visibleTo) {
        return Optional.ofNullable(visible(Quiz.findById(id, LockModeType.PESSIMISTIC_READ), visibleTo))
                .map(q -> q.userId);
    }

    /** The owner of a live quiz, whoever may see it. */
    @Transactional(Transactional.TxType.SUPPORTS)
    public Optional<UUID> owner(UUID id) {
        return Optional.ofNullable(Quiz.<Quiz>findById(id)).map(q -> q.userId);
    }

    /** The owner of a visible quiz. */
    @Transactional(Transactional.TxType.SUPPORTS)
    public Optional<UUID> visibleOwner(UUID id, Predicate<UUID> visibleTo) {
        return Optional.ofNullable(visible(Quiz.findById(id), visibleTo)).map(q -> q.userId);
    }

    /** Part of a user's deletion: their live quizzes get the user's deletion time (the transaction's). */
    void onUserDeleted(@Observes UserEvents.Deleted deleted) {
        Quiz.delete("userId", deleted.userId());
    }

    /** Part of a user's restore: what was deleted with the user (same timestamp) comes back. */
    void onUserRestored(@Observes UserEvents.Restored restored) {
        // Sees deleted rows, which no entity query does.
        em.createNativeQuery("UPDATE quizzes SET deleted_at = NULL WHERE user_id = :user AND deleted_at = :at")
                .setParameter("user", restored.userId()).setParameter("at", restored.deletedAt()).executeUpdate();
    }

    private Optional<QuizViews.Quiz> published(String slug) {
        return Optional.ofNullable(visible(Quiz.find("slug", slug).firstResult(), owner -> true)).map(this::view);
    }

    /** Locks a visible quiz for a change (waits briefly; a long wait is a retried 55P03). */
    private Quiz lockVisible(UUID id, Predicate<UUID> visibleTo) {
        return visible(Quiz.findById(id, LockModeType.PESSIMISTIC_WRITE), visibleTo);
    }

    private Quiz visible(Quiz quiz, Predicate<UUID> visibleTo) {
        return quiz != null && users.exists(quiz.userId) && visibleTo.test(quiz.userId) ? quiz : null;
    }

    /** The quiz as stored: the database's normal form of the questions, its identity position. */
    private QuizViews.Quiz stored(Quiz quiz) {
        quiz.flush();
        em.refresh(quiz);
        return view(quiz);
    }

    private QuizViews.Quiz view(Quiz q) {
        try {
            return new QuizViews.Quiz(q.id, q.userId, q.title, json.readTree(q.questions), q.slug, q.publishedAt,
                    q.sourceJobId, q.createdAt, q.updatedAt, q.seq);
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
