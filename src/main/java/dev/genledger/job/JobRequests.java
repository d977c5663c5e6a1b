package dev.genledger.job;

import java.util.UUID;

import jakarta.validation.Valid;
import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Positive;
import jakarta.validation.constraints.PositiveOrZero;
import jakarta.validation.constraints.Size;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.genledger.credit.CreditRequests;
import dev.genledger.quiz.QuizRequests;
import io.quarkus.runtime.annotations.RegisterForReflection;

/** Request bodies of the job endpoints. */
public final class JobRequests {

    static final String NO_CONTROL_CHARS = "[^\\p{Cntrl}]*";

    private JobRequests() {
    }

    @RegisterForReflection

    /** {@code holdTtl}: an ISO-8601 duration (see {@link HoldTtl}); absent, the configured default. */
    public record Create(
            @NotBlank @Size(max = 128) @Pattern(regexp = "[\\x21-\\x7E]+") String jobKey,
            @NotBlank @Pattern(regexp = "[a-z][a-z0-9_-]{0,39}") String kind,
            @NotNull @Positive @Max(CreditRequests.MAX_AMOUNT) Long cost,
            @Size(max = 40) String holdTtl) {

        public Create(String jobKey, String kind, Long cost) {
            this(jobKey, kind, cost, null);
        }
    }

    @RegisterForReflection

    /**
     * {@code actualCost}: what the job charges, at most its cost (the rest is released); absent, all
     * of it. The result is either named ({@code resultRef}) or delivered: a {@code quiz} or an
     * {@code insight} saved in the commit that charges for it.
     */
    public record Succeed(@Size(min = 1, max = 500) @Pattern(regexp = NO_CONTROL_CHARS) String resultRef,
            @PositiveOrZero @Max(CreditRequests.MAX_AMOUNT) Long actualCost, @Valid QuizRequests.Create quiz,
            @Valid InsightDelivery insight) {

        @JsonIgnore
        @AssertTrue(message = "a success names its result (resultRef) or delivers one quiz or one insight, not several")
        public boolean isOneResult() {
            return (resultRef != null ? 1 : 0) + (quiz != null ? 1 : 0) + (insight != null ? 1 : 0) <= 1;
        }
    }

    /** An insight of one of the job's user's quizzes, created or replaced as a PUT of it would. */
    @RegisterForReflection
    public record InsightDelivery(@NotNull UUID quizId, @NotNull String type, @NotNull ObjectNode content) {
    }

    @RegisterForReflection

    public record Fail(@NotBlank @Size(max = 2000) String error) {
    }

    @RegisterForReflection

    public record Cancel(@Size(max = 2000) String reason) {
    }
}
