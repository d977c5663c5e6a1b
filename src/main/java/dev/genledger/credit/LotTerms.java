package dev.genledger.credit;

import java.time.OffsetDateTime;

/**
 * What a new lot is: its category ({@code paid} or {@code promotional}), when it expires (null:
 * never) and its priority (0..100, lower drawn first among lots of one expiry and category).
 */
public record LotTerms(String category, OffsetDateTime expiresAt, int priority) {

    public static final String PAID = "paid";
    public static final String PROMOTIONAL = "promotional";
    public static final int DEFAULT_PRIORITY = 50;

    /** What a grant without terms, and a balance that predates lots, is: paid, never expiring. */
    public static final LotTerms PAID_FOREVER = new LotTerms(PAID, null, DEFAULT_PRIORITY);

    /**
     * Part of a grant's request hash only when set, so a plain grant hashes as it always did. The
     * fields are compared by hand: the record's equals runs through method handles, slow in a
     * native image (docs/performance.md).
     */
    String hashPart() {
        boolean plain = PAID.equals(category) && expiresAt == null && priority == DEFAULT_PRIORITY;
        return plain ? null : category + "|" + expiresAt + "|" + priority;
    }
}
