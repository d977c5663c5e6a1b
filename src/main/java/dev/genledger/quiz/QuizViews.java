package dev.genledger.quiz;

import java.time.OffsetDateTime;
import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.runtime.annotations.RegisterForReflection;

/** What the quiz endpoints answer. */
public final class QuizViews {

    private QuizViews() {
    }

    @RegisterForReflection

    public record Quiz(UUID id, UUID userId, String title, JsonNode questions, String slug, OffsetDateTime publishedAt,
            UUID sourceJobId, OffsetDateTime createdAt, OffsetDateTime updatedAt, @JsonIgnore long position) {
    }

    /** A published quiz as anybody may see it: no owner, no ids. */
    @RegisterForReflection
    public record PublicQuiz(String slug, String title, JsonNode questions, OffsetDateTime publishedAt) {
    }
}
