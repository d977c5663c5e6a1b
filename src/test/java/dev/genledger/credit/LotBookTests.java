package dev.genledger.credit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.Test;

class LotBookTests {

    private static final UUID USER = UUID.randomUUID();
    private static final OffsetDateTime SOON = OffsetDateTime.of(2030, 1, 1, 0, 0, 0, 0, ZoneOffset.UTC);
    private static final OffsetDateTime LATER = SOON.plusDays(1);

    private static LotBook.Lot lot(long id, String category, int priority, OffsetDateTime expiresAt, long remaining,
            long held, boolean expired) {
        return new LotBook.Lot(id, USER, category, priority, expiresAt, expired, remaining, remaining, held);
    }

    @Test
    void plansFollowTheDrawOrder() {
        LotBook book = new LotBook(List.of(
                lot(1, "paid", 50, null, 5, 0, false),
                lot(2, "paid", 50, LATER, 5, 0, false),
                lot(3, "promotional", 50, LATER, 5, 0, false),
                lot(4, "paid", 10, LATER, 5, 0, false),
                lot(5, "paid", 90, SOON, 5, 0, false),
                lot(6, "paid", 50, LATER, 5, 0, false)));
        List<Long> order = book.plan(USER, 30).orElseThrow().stream().map(LotBook.Draw::lotId).toList();
        assertEquals(List.of(5L, 3L, 4L, 2L, 6L, 1L), order);
    }

    @Test
    void aPlanSkipsHeldAndExpiredCreditsAndIsEmptyWhenTheyCannotCover() {
        LotBook book = new LotBook(List.of(
                lot(1, "promotional", 50, SOON, 10, 0, true),
                lot(2, "paid", 50, LATER, 10, 7, false),
                lot(3, "paid", 50, null, 4, 0, false)));
        assertEquals(7, book.available(USER));
        assertEquals(List.of(new LotBook.Draw(2, 3), new LotBook.Draw(3, 4)), book.plan(USER, 7).orElseThrow());
        assertTrue(book.plan(USER, 8).isEmpty());
    }

    @Test
    void takenCreditsAreGoneForTheNextPlanOfTheBatch() {
        LotBook book = new LotBook(List.of(lot(1, "paid", 50, SOON, 3, 0, false), lot(2, "paid", 50, null, 10, 0, false)));
        book.take(100, book.plan(USER, 2).orElseThrow());
        assertEquals(List.of(new LotBook.Draw(1, 1), new LotBook.Draw(2, 1)), book.plan(USER, 2).orElseThrow());
        assertEquals(11, book.available(USER));
    }
}
