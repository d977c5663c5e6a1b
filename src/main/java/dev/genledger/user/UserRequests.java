package dev.genledger.user;

import jakarta.validation.constraints.Email;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

/** Request bodies of the user endpoints. Absent optional fields mean "leave as is" on PATCH. */
public final class UserRequests {

    /** No control character, C0 (newline, escape, NUL), DEL or C1: they forge log lines and terminal output. */
    static final String NO_CONTROL_CHARS = "[^\\p{Cc}]*";

    private UserRequests() {
    }

    public record Create(
            @NotBlank @Email @Size(max = 254) String email,
            @Size(min = 1, max = 128) @Pattern(regexp = NO_CONTROL_CHARS) String externalId,
            @Size(max = 200) @Pattern(regexp = NO_CONTROL_CHARS) String displayName) {
    }

    public record Upsert(
            @NotBlank @Email @Size(max = 254) String email,
            @Size(max = 200) @Pattern(regexp = NO_CONTROL_CHARS) String displayName) {
    }

    public record Patch(
            @Email @Size(min = 3, max = 254) String email,
            @Size(min = 1, max = 128) @Pattern(regexp = NO_CONTROL_CHARS) String externalId,
            @Size(max = 200) @Pattern(regexp = NO_CONTROL_CHARS) String displayName) {
    }
}
