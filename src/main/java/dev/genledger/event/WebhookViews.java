package dev.genledger.event;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.quarkus.runtime.annotations.RegisterForReflection;

/** What the webhook admin endpoints answer. */
public final class WebhookViews {

    private WebhookViews() {
    }

    /** An endpoint; {@code secret} only in the answer that created or rotated it, never again. */
    @RegisterForReflection
    public record Endpoint(UUID id, String url, List<String> eventTypes, String description, boolean enabled,
            @JsonInclude(JsonInclude.Include.NON_NULL) String secret, OffsetDateTime previousSecretValidUntil,
            OffsetDateTime createdAt, OffsetDateTime updatedAt) {

        Endpoint withSecret(String shown) {
            return new Endpoint(id, url, eventTypes, description, enabled, shown, previousSecretValidUntil, createdAt,
                    updatedAt);
        }
    }

    /** One event's delivery to an endpoint, with every attempt made. */
    @RegisterForReflection
    public record Delivery(long id, long eventId, String eventType, UUID userId, String status, int attempts,
            Integer lastStatusCode, Integer lastLatencyMs, String lastError, OffsetDateTime nextAttemptAt,
            OffsetDateTime deliveredAt, List<Attempt> log) {
    }

    @RegisterForReflection
    public record Attempt(int attempt, OffsetDateTime at, Integer statusCode, int latencyMs, String error) {
    }

    @RegisterForReflection
    public record Replayed(long endpointDeliveries) {
    }
}
