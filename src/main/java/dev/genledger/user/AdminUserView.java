package dev.genledger.user;

import java.time.OffsetDateTime;
import java.util.UUID;
import io.quarkus.runtime.annotations.RegisterForReflection;

/** A user as the admin listing shows it, deleted or not. */
@RegisterForReflection
public record AdminUserView(UUID id, String email, String externalId, String displayName, long balance, long held,
        OffsetDateTime createdAt, OffsetDateTime updatedAt, OffsetDateTime deletedAt, OffsetDateTime purgedAt,
        long position) {
}
