package dev.genledger.db;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A PostgreSQL WAL position ({@code pg_lsn}, text {@code 16/B374D848}) as an unsigned 64-bit number. */
public final class Lsn {

    /** Beyond every real position: a token that only the primary can answer. */
    public static final long PRIMARY_ONLY = -1L;

    private static final Pattern TEXT = Pattern.compile("([0-9A-Fa-f]{1,8})/([0-9A-Fa-f]{1,8})");

    private Lsn() {
    }

    /** The position, or empty when {@code text} is no pg_lsn. */
    public static java.util.OptionalLong parse(String text) {
        Matcher m = text == null ? null : TEXT.matcher(text);
        if (m == null || !m.matches()) {
            return java.util.OptionalLong.empty();
        }
        return java.util.OptionalLong.of(Long.parseLong(m.group(1), 16) << 32 | Long.parseLong(m.group(2), 16));
    }

    public static String format(long lsn) {
        return Long.toHexString(lsn >>> 32).toUpperCase() + "/" + Long.toHexString(lsn & 0xFFFFFFFFL).toUpperCase();
    }

    /** Whether {@code a} is at or past {@code b} (positions compare unsigned). */
    public static boolean reached(long a, long b) {
        return Long.compareUnsigned(a, b) >= 0;
    }
}
