package dev.genledger.event;

import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonRawValue;
import io.quarkus.runtime.annotations.RegisterForReflection;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * One event, as the pull API answers it and as a webhook delivers it. {@code data} is the
 * resource the event speaks of (a ledger entry, a job, a user, a balance alert), as stored.
 */
@RegisterForReflection
public record EventView(long id, String type, String occurredAt, UUID userId,
        @JsonRawValue @Schema(type = SchemaType.OBJECT) String data) {
}
