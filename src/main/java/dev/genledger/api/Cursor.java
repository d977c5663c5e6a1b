package dev.genledger.api;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/** Opaque keyset cursors: the position after which the next page starts. */
public final class Cursor {

    public static final int DEFAULT_LIMIT = 50;
    public static final int MAX_LIMIT = 200;

    private Cursor() {
    }

    public static String encode(long position) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(("p" + position).getBytes(StandardCharsets.UTF_8));
    }

    /** The position in a cursor, or {@code Long.MAX_VALUE} (the start, newest first) when absent. */
    public static long decode(String cursor) {
        if (cursor == null || cursor.isEmpty()) {
            return Long.MAX_VALUE;
        }
        try {
            String raw = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
            if (raw.startsWith("p")) {
                return Long.parseLong(raw.substring(1));
            }
        } catch (IllegalArgumentException invalid) {
            // falls through to the problem below
        }
        throw ApiProblem.badRequest("invalid-cursor", "the cursor is not one this API returned");
    }

    public static int limit(Integer requested) {
        if (requested == null) {
            return DEFAULT_LIMIT;
        }
        if (requested < 1 || requested > MAX_LIMIT) {
            throw ApiProblem.badRequest("invalid-limit", "limit must be between 1 and " + MAX_LIMIT);
        }
        return requested;
    }
}
