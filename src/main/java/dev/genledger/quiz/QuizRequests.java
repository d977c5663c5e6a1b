package dev.genledger.quiz;

import java.util.List;
import java.util.UUID;

import jakarta.validation.Valid;
import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.PositiveOrZero;
import jakarta.validation.constraints.Size;

import com.fasterxml.jackson.annotation.JsonIgnore;
import io.quarkus.runtime.annotations.RegisterForReflection;

/** Request bodies of the quiz endpoints. */
public final class QuizRequests {

    private QuizRequests() {
    }

    /** One question: its text, 2 to 10 options, and the index of the right one. */
    @RegisterForReflection
    public record Question(
            @NotBlank @Size(max = 1000) String question,
            @NotNull @Size(min = 2, max = 10) List<@NotBlank @Size(max = 500) String> options,
            @NotNull @PositiveOrZero Integer answer) {

        @JsonIgnore
        @AssertTrue(message = "answer must be the index of one of the options")
        public boolean isAnswerAnOption() {
            return answer == null || options == null || answer < options.size();
        }
    }

    @RegisterForReflection

    public record Create(
            @NotBlank @Size(max = 300) String title,
            @NotNull @Size(min = 1, max = 100) List<@Valid @NotNull Question> questions,
            UUID sourceJobId) {
    }

    /** Answers to a published quiz: the index of the chosen option of each question, in order. */
    @RegisterForReflection
    public record Answers(@NotNull @Size(max = 100) List<@NotNull @PositiveOrZero Integer> answers) {
    }

    /** Absent fields are left as they are. */
    @RegisterForReflection
    public record Patch(
            @Size(min = 1, max = 300) @Pattern(regexp = ".*\\S.*") String title,
            @Size(min = 1, max = 100) List<@Valid @NotNull Question> questions) {
    }
}
