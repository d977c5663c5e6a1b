package dev.genledger.credit;

import java.time.OffsetDateTime;
import java.util.UUID;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
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

    /**
     * A grant, and the lot it creates: {@code category} paid (the default) or promotional,
     * {@code expiresAt} (absent: never; in the future for a new grant, checked after the replay
     * lookup so that a retry past the expiry still gets its first answer), {@code priority} 0..100 (default 50; lower is drawn first
     * among lots of one expiry and category).
     */
    public record Grant(
            @NotNull @Positive @Max(MAX_AMOUNT) Long amount,
            @NotBlank @Size(max = 500) String reason,
            @Size(max = 200) String reference,
            @Pattern(regexp = LotTerms.PAID + "|" + LotTerms.PROMOTIONAL) String category,
            OffsetDateTime expiresAt,
            @Min(0) @Max(100) Integer priority) {

        LotTerms lot() {
            return new LotTerms(category == null ? LotTerms.PAID : category, expiresAt,
                    priority == null ? LotTerms.DEFAULT_PRIORITY : priority);
        }
    }

    public record Transfer(
            @NotNull UUID fromUserId,
            @NotNull UUID toUserId,
            @NotNull @Positive @Max(MAX_AMOUNT) Long amount,
            @NotBlank @Size(max = 500) String reason) {
    }
}
