package dev.genledger.credit;

import java.util.UUID;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Positive;
import jakarta.validation.constraints.Size;

/** Request bodies of the credit endpoints. */
public final class CreditRequests {

    /** The largest amount one request may move: far below overflow of a bigint balance. */
    public static final long MAX_AMOUNT = 1_000_000_000L;

    private CreditRequests() {
    }

    public record Change(
            @NotNull @Positive @Max(MAX_AMOUNT) Long amount,
            @NotBlank @Size(max = 500) String reason,
            @Size(max = 200) String reference) {
    }

    public record Transfer(
            @NotNull UUID fromUserId,
            @NotNull UUID toUserId,
            @NotNull @Positive @Max(MAX_AMOUNT) Long amount,
            @NotBlank @Size(max = 500) String reason) {
    }
}
