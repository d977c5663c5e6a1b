package dev.genledger.user;

import java.util.Locale;
import java.util.Optional;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;

import dev.genledger.db.TranslateFailures;

/** Users: create, find, upsert by external id, change, soft delete. */
@ApplicationScoped
@TranslateFailures
public class UserService {

    /** The result of an upsert: the user and whether it was created. */
    public record Upserted(UserView user, boolean created) {
    }

    @Inject
    EntityManager em;

    @Transactional
    public UserView create(UserRequests.Create request) {
        User user = new User();
        user.id = UUID.randomUUID();
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
     * calls cannot create two users (a racing insert surfaces as a serialization failure and the
     * request is retried, then updates).
     */
    @Transactional
    public Upserted upsertByExternalId(String externalId, UserRequests.Upsert request) {
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
    public Optional<UserView> update(UUID id, UserRequests.Patch patch) {
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

    /** Soft-deletes a live user; false when there is none. */
    @Transactional
    public boolean delete(UUID id) {
        User user = User.findLive(id);
        if (user == null) {
            return false;
        }
        user.delete();
        return true;
    }

    private static String normalize(String email) {
        return email.trim().toLowerCase(Locale.ROOT);
    }
}
