package dev.genledger.user;

import java.time.OffsetDateTime;
import java.util.UUID;

import dev.genledger.api.Who;

/**
 * Fired synchronously inside the transaction that deletes or restores a user, so the features
 * that own the user's data (jobs, quizzes, insights) change it in the same transaction.
 */
public final class UserEvents {

    private UserEvents() {
    }

    /** The user was soft-deleted at {@code deletedAt}: hide their data with this same timestamp. */
    public record Deleted(UUID userId, OffsetDateTime deletedAt, Who who) {
    }

    /** The user, deleted at {@code deletedAt}, is being restored: bring back what went with them. */
    public record Restored(UUID userId, OffsetDateTime deletedAt, Who who) {
    }
}
