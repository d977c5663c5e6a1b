package dev.genledger.api;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.UUID;

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
        throw invalid();
    }

    private static ApiProblem invalid() {
        return ApiProblem.badRequest("invalid-cursor", "the cursor is not one this API returned");
    }

    /** A cursor of a list ordered by id (the ones ordered by a position use {@link #encode(long)}). */
    public static String encodeId(UUID after) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(("u" + after).getBytes(StandardCharsets.UTF_8));
    }

    /** The id in a cursor of {@link #encodeId(UUID)}, or null (the start) when absent. */
    public static UUID decodeId(String cursor) {
        if (cursor == null || cursor.isEmpty()) {
            return null;
        }
        try {
            String raw = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
            if (raw.startsWith("u")) {
                return UUID.fromString(raw.substring(1));
            }
        } catch (IllegalArgumentException invalid) {
            // falls through to the problem below
        }
        throw invalid();
    }

    /**
     * The page size asked for, as the raw query parameter: taken as an {@code Integer}, a value
     * that is not one would fail its conversion, which JAX-RS answers with 404.
     */
    public static int limit(String requested) {
        if (requested == null) {
            return DEFAULT_LIMIT;
        }
        try {
            int limit = Integer.parseInt(requested);
            if (limit >= 1 && limit <= MAX_LIMIT) {
                return limit;
            }
        } catch (NumberFormatException notAnInteger) {
            // falls through to the problem below
        }
        throw ApiProblem.invalidField("limit", "must be an integer from 1 to " + MAX_LIMIT);
    }
}
