package dev.genledger.quiz;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
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

    /** A published quiz as anybody may see it: no owner, no ids, no answers. */
    @RegisterForReflection
    public record PublicQuiz(String slug, String title, List<PublicQuestion> questions, OffsetDateTime publishedAt) {

        static PublicQuiz from(Quiz quiz) {
            List<PublicQuestion> questions = new ArrayList<>();
            for (JsonNode q : quiz.questions()) {
                List<String> options = new ArrayList<>();
                q.path("options").forEach(o -> options.add(o.asText()));
                questions.add(new PublicQuestion(q.path("question").asText(), options));
            }
            return new PublicQuiz(quiz.slug(), quiz.title(), questions, quiz.publishedAt());
        }
    }

    /** A question without its answer. */
    @RegisterForReflection
    public record PublicQuestion(String question, List<String> options) {
    }

    /** A graded submission: how many answers were right, and whether each one was. */
    @RegisterForReflection
    public record Graded(int score, int total, List<Boolean> correct) {
    }
}
