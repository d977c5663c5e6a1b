package dev.genledger.job;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Positive;
import jakarta.validation.constraints.PositiveOrZero;
import jakarta.validation.constraints.Size;

import dev.genledger.credit.CreditRequests;
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

    /** {@code actualCost}: what the job charges, at most its cost (the rest is released); absent, all of it. */
    public record Succeed(@Size(min = 1, max = 500) @Pattern(regexp = NO_CONTROL_CHARS) String resultRef,
            @PositiveOrZero @Max(CreditRequests.MAX_AMOUNT) Long actualCost) {
    }

    @RegisterForReflection

    public record Fail(@NotBlank @Size(max = 2000) String error) {
    }

    @RegisterForReflection

    public record Cancel(@Size(max = 2000) String reason) {
    }
}
