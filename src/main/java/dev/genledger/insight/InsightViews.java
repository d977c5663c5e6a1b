package dev.genledger.insight;

import java.time.OffsetDateTime;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import jakarta.validation.constraints.NotNull;
import io.quarkus.runtime.annotations.RegisterForReflection;

/** Insight bodies and answers. */
public final class InsightViews {

    private InsightViews() {
    }

    /** The body of a PUT: any JSON object. */
    @RegisterForReflection
    public record Put(@NotNull ObjectNode content) {
    }

    @RegisterForReflection

    public record Insight(UUID id, UUID quizId, String type, String status, JsonNode content, OffsetDateTime createdAt,
            OffsetDateTime updatedAt) {
    }
}
