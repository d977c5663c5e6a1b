package dev.genledger.job;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Positive;
import jakarta.validation.constraints.Size;

import dev.genledger.credit.CreditRequests;
import io.quarkus.runtime.annotations.RegisterForReflection;

/** Request bodies of the job endpoints. */
public final class JobRequests {

    static final String NO_CONTROL_CHARS = "[^\\p{Cntrl}]*";

    private JobRequests() {
    }

    @RegisterForReflection

    public record Create(
            @NotBlank @Size(max = 128) @Pattern(regexp = "[\\x21-\\x7E]+") String jobKey,
            @NotBlank @Pattern(regexp = "[a-z][a-z0-9_-]{0,39}") String kind,
            @NotNull @Positive @Max(CreditRequests.MAX_AMOUNT) Long cost) {
    }

    @RegisterForReflection

    public record Succeed(@Size(min = 1, max = 500) @Pattern(regexp = NO_CONTROL_CHARS) String resultRef) {
    }

    @RegisterForReflection

    public record Fail(@NotBlank @Size(max = 2000) String error) {
    }

    @RegisterForReflection

    public record Cancel(@Size(max = 2000) String reason) {
    }
}
