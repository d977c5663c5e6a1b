package dev.genledger.user;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;

import dev.genledger.api.Cursor;
import dev.genledger.api.Page;
import dev.genledger.api.Who;
import dev.genledger.audit.Auditor;
import dev.genledger.db.TranslateFailures;
import io.quarkus.panache.common.Sort;

/** Users: create, find, upsert by external id, change, soft delete. */
@ApplicationScoped
@TranslateFailures
public class UserService {

    /** The result of an upsert: the user and whether it was created. */
    public record Upserted(UserView user, boolean created) {
    }

    @Inject
    EntityManager em;

    @Inject
    Auditor auditor;

    @Inject
    Event<UserEvents.Deleted> deleted;

    @Inject
    Event<UserEvents.Restored> restored;

    /**
     * Creates a user with the given id, or returns the one an earlier attempt of the same request
     * already created with it (its commit landed, its answer did not).
     */
    @Transactional
    public UserView create(UUID id, UserRequests.Create request, Who who) {
        User earlier = User.findById(id);
        if (earlier != null) {
            return UserView.from(earlier);
        }
        auditor.tag(who);
        User user = new User();
        user.id = id;
        user.email = normalize(request.email());
        user.externalId = request.externalId();
        user.displayName = request.displayName();
        user.persist();
        user.flush();
        return UserView.from(user);
    }

    @Transactional(Transactional.TxType.SUPPORTS)
    public Optional<UserView> get(UUID id) {
        return Optional.ofNullable(User.findLive(id)).map(UserView::from);
    }

    @Transactional(Transactional.TxType.SUPPORTS)
    public Optional<UserView> findByEmail(String email) {
        return Optional.ofNullable(User.findByEmail(email)).map(UserView::from);
    }

    @Transactional(Transactional.TxType.SUPPORTS)
    public Optional<UserView> findByExternalId(String externalId) {
        return Optional.ofNullable(User.findByExternalId(externalId)).map(UserView::from);
    }

    /**
     * Creates or updates the live user with this external id in one statement, so concurrent
     * calls cannot create two users. The WHERE names the partial unique index the conflict is
     * judged by, which PostgreSQL infers only from its predicate.
     * <p>
     * This one transaction runs at READ COMMITTED: there PostgreSQL guarantees the upsert an
     * insert-or-update outcome however many callers race on one id, while at REPEATABLE READ each
     * commit fails every racer whose snapshot predates it (40001), and a burst of callers retries
     * in rounds where one wins each, until some run out of retries.
     */
    @Transactional
    public Upserted upsertByExternalId(String externalId, UserRequests.Upsert request, Who who) {
        em.createNativeQuery("SET TRANSACTION ISOLATION LEVEL READ COMMITTED").executeUpdate();
        auditor.tag(who);
        Object[] row = (Object[]) em.createNativeQuery("""
                INSERT INTO users (id, email, external_id, display_name)
                VALUES (:id, :email, :externalId, :displayName)
                ON CONFLICT (external_id) WHERE deleted_at IS NULL
                DO UPDATE SET email = excluded.email, display_name = excluded.display_name, updated_at = now()
                RETURNING id, (xmax = 0) AS created
                """)
                .setParameter("id", UUID.randomUUID())
                .setParameter("email", normalize(request.email()))
                .setParameter("externalId", externalId)
                .setParameter("displayName", request.displayName())
                .getSingleResult();
        UUID id = (UUID) row[0];
        return new Upserted(UserView.from(User.findLive(id)), (Boolean) row[1]);
    }

    @Transactional
    public Optional<UserView> update(UUID id, UserRequests.Patch patch, Who who) {
        auditor.tag(who);
        User user = User.findLive(id);
        if (user == null) {
            return Optional.empty();
        }
        if (patch.email() != null) {
            user.email = normalize(patch.email());
        }
        if (patch.externalId() != null) {
            user.externalId = patch.externalId();
        }
        if (patch.displayName() != null) {
            user.displayName = patch.displayName();
        }
        user.flush();
        return Optional.of(UserView.from(user));
    }

    /**
     * Soft-deletes a live user and, in the same transaction, everything of theirs: quizzes and
     * insights are hidden with the user's deletion time, pending jobs cancelled and their holds
     * released (see the {@link UserEvents.Deleted} observers). A user with a running job is not
     * deleted: 409 {@code user-has-running-jobs} (see the job observer). False when there is no
     * live user.
     */
    @Transactional
    public boolean delete(UUID id, Who who) {
        auditor.tag(who);
        if (User.findLive(id) == null) {
            return false;
        }
        // A concurrent delete that committed meanwhile makes this a serialization failure, retried into false.
        OffsetDateTime at = time(em
                .createNativeQuery("UPDATE users SET deleted_at = now() WHERE id = :id RETURNING deleted_at")
                .setParameter("id", id).getSingleResult());
        deleted.fire(new UserEvents.Deleted(id, at, who));
        return true;
    }

    /**
     * Restores a deleted (not yet purged) user and what was deleted with them; what they had
     * deleted themselves before stays deleted. Empty when there is no such user; a conflict
     * (409) when a live user has taken the email or external id meanwhile.
     */
    @Transactional
    public Optional<UserView> restore(UUID id, Who who) {
        auditor.tag(who);
        // Sees deleted users, which no entity query does.
        List<?> deletedAt = em.createNativeQuery(
                "SELECT deleted_at FROM users WHERE id = :id AND deleted_at IS NOT NULL AND purged_at IS NULL FOR UPDATE")
                .setParameter("id", id).getResultList();
        if (deletedAt.isEmpty()) {
            return Optional.empty();
        }
        OffsetDateTime at = time(deletedAt.get(0));
        restored.fire(new UserEvents.Restored(id, at, who));
        em.createNativeQuery("UPDATE users SET deleted_at = NULL, updated_at = now() WHERE id = :id")
                .setParameter("id", id).executeUpdate();
        auditor.adminAction(who, "restore-user", id.toString(), id, null);
        em.clear();
        return Optional.ofNullable(User.findLive(id)).map(UserView::from);
    }

    /** Users for admins, newest first; deleted and purged ones only when asked for. */
    @Transactional(Transactional.TxType.SUPPORTS)
    public Page<AdminUserView> list(boolean includeDeleted, String cursor, int limit) {
        long before = Cursor.decode(cursor);
        List<AdminUserView> rows = includeDeleted ? everyUser(before, limit + 1)
                : User.<User>find("seq < ?1", Sort.descending("seq"), before).range(0, limit).stream()
                        .map(u -> new AdminUserView(u.id, u.email, u.externalId, u.displayName, u.balance, u.held,
                                u.createdAt, u.updatedAt, null, null, u.seq))
                        .toList();
        return Page.of(rows, limit, AdminUserView::position);
    }

    // Deleted and purged users too, which no entity query sees.
    private List<AdminUserView> everyUser(long before, int rows) {
        List<?> found = em.createNativeQuery("""
                SELECT id, email, external_id, display_name, balance, held, created_at, updated_at, deleted_at,
                       purged_at, seq
                FROM users WHERE seq < :before ORDER BY seq DESC LIMIT :rows""")
                .setParameter("before", before).setParameter("rows", rows).getResultList();
        return found.stream().map(Object[].class::cast)
                .map(r -> new AdminUserView((UUID) r[0], (String) r[1], (String) r[2], (String) r[3],
                        ((Number) r[4]).longValue(), ((Number) r[5]).longValue(), time(r[6]), time(r[7]), time(r[8]),
                        time(r[9]), ((Number) r[10]).longValue()))
                .toList();
    }

    // Hibernate answers a native query's timestamptz as an Instant; the views carry offsets (UTC).
    private static OffsetDateTime time(Object column) {
        return column == null ? null : ((Instant) column).atOffset(ZoneOffset.UTC);
    }

    private static String normalize(String email) {
        return email.trim().toLowerCase(Locale.ROOT);
    }
}
