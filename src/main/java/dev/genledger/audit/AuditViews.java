package dev.genledger.audit;

import java.time.OffsetDateTime;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.runtime.annotations.RegisterForReflection;

/** What the audit endpoint answers. */
public final class AuditViews {

    private AuditViews() {
    }

    /**
     * One recorded change: who (actor = role:subject), from where, what (entity, id, the user it
     * belongs to, action) and the changed fields' old and new values.
     */
    @RegisterForReflection
    public record Entry(long id, OffsetDateTime at, String actor, String clientIp, String userAgent, String requestId,
            String entity, String entityId, UUID userId, String action, JsonNode oldValues, JsonNode newValues) {
    }

    /** Search criteria; every one optional. */
    public record Filter(UUID userId, String entity, String entityId, String action, OffsetDateTime from,
            OffsetDateTime to) {
    }
}
