package dev.genledger.credit;

import java.time.OffsetDateTime;
import java.util.Comparator;

/**
 * The order credits are drawn in: soonest expiry first (lots that never expire last), then
 * promotional before paid, then lower priority first, then the oldest lot (lowest id).
 */
final class LotOrder {

    static final Comparator<LotBook.Lot> DRAW = Comparator
            .comparing((LotBook.Lot lot) -> lot.expiresAt, Comparator.nullsLast(Comparator.<OffsetDateTime> naturalOrder()))
            .thenComparing(lot -> LotTerms.PROMOTIONAL.equals(lot.category) ? 0 : 1)
            .thenComparingInt(lot -> lot.priority)
            .thenComparingLong(lot -> lot.id);

    /** The same order in SQL, for the lists that show lots as they would be drawn. */
    static final String SQL = "expires_at ASC NULLS LAST, (category = 'promotional') DESC, priority, id";

    /** The same of lots aliased {@code l}. */
    static final String SQL_QUALIFIED = "l.expires_at ASC NULLS LAST, (l.category = 'promotional') DESC, l.priority, l.id";

    private LotOrder() {
    }
}
