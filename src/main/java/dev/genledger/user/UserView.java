package dev.genledger.user;

import java.time.OffsetDateTime;
import java.util.UUID;

/** A user as the API shows it. */
public record UserView(UUID id, String email, String externalId, String displayName, long balance,
        OffsetDateTime createdAt, OffsetDateTime updatedAt) {

    static UserView from(User u) {
        return new UserView(u.id, u.email, u.externalId, u.displayName, u.balance, u.createdAt, u.updatedAt);
    }
}
