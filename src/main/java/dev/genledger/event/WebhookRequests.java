package dev.genledger.event;

import java.util.List;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

import io.quarkus.runtime.annotations.RegisterForReflection;

/** Request bodies of the webhook admin endpoints. Absent fields of a PATCH stay as they are. */
public final class WebhookRequests {

    static final String EVENT_TYPE = "^[a-z]+\\.[a-z]+$";
    static final String NO_CONTROL_CHARS = "[^\\p{Cc}]*";

    private WebhookRequests() {
    }

    /** {@code eventTypes} empty or absent: every type. {@code secret} absent: one is made up and answered once. */
    @RegisterForReflection
    public record Create(@NotBlank @Size(max = 2000) String url,
            @Size(max = 20) List<@NotNull @Pattern(regexp = EVENT_TYPE) String> eventTypes,
            @Size(max = 200) String secret,
            @Size(max = 500) @Pattern(regexp = NO_CONTROL_CHARS) String description,
            Boolean enabled) {
    }

    /**
     * A new {@code secret} (or {@code rotateSecret: true}, which makes one up) rotates: the old
     * secret keeps signing beside the new one for genledger.webhooks.secret-overlap.
     */
    @RegisterForReflection
    public record Patch(@Size(min = 1, max = 2000) String url,
            @Size(max = 20) List<@NotNull @Pattern(regexp = EVENT_TYPE) String> eventTypes,
            @Size(max = 200) String secret,
            Boolean rotateSecret,
            @Size(max = 500) @Pattern(regexp = NO_CONTROL_CHARS) String description,
            Boolean enabled) {
    }

    /** Re-send the events with ids from {@code fromEventId} to {@code toEventId}, both included. */
    @RegisterForReflection
    public record Replay(@NotNull @Min(1) Long fromEventId, @NotNull @Min(1) @Max(Long.MAX_VALUE) Long toEventId) {
    }
}
