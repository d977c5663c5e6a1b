package dev.genledger.user;

import java.time.OffsetDateTime;
import java.util.UUID;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * A user as the API shows it. Registered for reflection because resources also return it inside a
 * {@code Response}, whose entity type the native build cannot see; Jackson needs its accessors.
 */
@RegisterForReflection
public record UserView(UUID id, String email, String externalId, String displayName, long balance,
        OffsetDateTime createdAt, OffsetDateTime updatedAt) {

    static UserView from(User u) {
        return new UserView(u.id, u.email, u.externalId, u.displayName, u.balance, u.createdAt, u.updatedAt);
    }
}
