package dev.genledger.user;

import java.util.List;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;

import dev.genledger.api.ApiProblem;

/**
 * Whether a user is live (exists and is not deleted), for the features that keep data of users:
 * the one place outside {@link UserService} that reads {@code users}.
 */
@ApplicationScoped
public class LiveUsers {

    @Inject
    EntityManager em;

    public boolean exists(UUID id) {
        return User.count("id", id) > 0;
    }

    /** Whether the user exists, deleted or not, until its data is purged (what it did stays readable). */
    public boolean unpurged(UUID id) {
        return !em.createNativeQuery("SELECT 1 FROM users WHERE id = :id AND purged_at IS NULL")
                .setParameter("id", id).getResultList().isEmpty();
    }

    /** Answers the 404 problem of an absent user. */
    public void require(UUID id) {
        if (!exists(id)) {
            throw notFound(id);
        }
    }

    /**
     * Whether the user is live, keeping the row from a concurrent change of its key until the
     * transaction ends. FOR KEY SHARE, which Hibernate's lock modes don't offer: it leaves the user's
     * balance writable by concurrent credit changes.
     */
    public boolean lock(UUID id) {
        @SuppressWarnings("unchecked")
        List<Object> deletedAt = em.createNativeQuery("SELECT deleted_at FROM users WHERE id = :id FOR KEY SHARE")
                .setParameter("id", id).getResultList();
        return deletedAt.size() == 1 && deletedAt.get(0) == null;
    }

    public static ApiProblem notFound(UUID id) {
        return ApiProblem.notFound("user " + id);
    }
}
