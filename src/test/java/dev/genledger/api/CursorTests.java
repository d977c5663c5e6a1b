package dev.genledger.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.Test;

/** Cursors, page sizes and pages on their own: no database, no HTTP. */
class CursorTests {

    @Test
    void aPositionCursorDecodesToItsPositionAndNoCursorIsTheStart() {
        assertEquals(42, Cursor.decode(Cursor.encode(42)));
        assertEquals(0, Cursor.decode(Cursor.encode(0)));
        assertEquals(Long.MAX_VALUE, Cursor.decode(null));
        assertEquals(Long.MAX_VALUE, Cursor.decode(""));
    }

    @Test
    void anIdCursorDecodesToItsIdAndNoCursorIsTheStart() {
        UUID id = UUID.randomUUID();
        assertEquals(id, Cursor.decodeId(Cursor.encodeId(id)));
        assertNull(Cursor.decodeId(null));
        assertNull(Cursor.decodeId(""));
    }

    @Test
    void aCursorThisApiDidNotMakeIsAnInvalidCursorProblem() {
        for (String forged : List.of("not base64!", base64("x12"), base64("p"), base64("pabc"), Cursor.encodeId(UUID.randomUUID()))) {
            assertInvalidCursor(assertThrows(ApiProblem.class, () -> Cursor.decode(forged)));
        }
        for (String forged : List.of("not base64!", base64("u-not-a-uuid"), Cursor.encode(7))) {
            assertInvalidCursor(assertThrows(ApiProblem.class, () -> Cursor.decodeId(forged)));
        }
    }

    @Test
    void theLimitIsTheDefaultWhenAbsentAndOtherwiseAnIntegerWithinBounds() {
        assertEquals(Cursor.DEFAULT_LIMIT, Cursor.limit(null));
        assertEquals(1, Cursor.limit("1"));
        assertEquals(Cursor.MAX_LIMIT, Cursor.limit(String.valueOf(Cursor.MAX_LIMIT)));
        for (String bad : List.of("0", "-1", String.valueOf(Cursor.MAX_LIMIT + 1), "ten", "1.5", "", "99999999999")) {
            ApiProblem problem = assertThrows(ApiProblem.class, () -> Cursor.limit(bad), bad);
            assertEquals(400, problem.status(), bad);
        }
    }

    @Test
    void aPageOfMoreRowsThanTheLimitKeepsTheLimitAndPointsAfterItsLastItem() {
        Page<Long> page = Page.of(List.of(9L, 8L, 7L), 2, p -> p);
        assertEquals(List.of(9L, 8L), page.items());
        assertEquals(8, Cursor.decode(page.nextCursor()));
        Page<Long> last = Page.of(List.of(9L, 8L), 2, p -> p);
        assertEquals(List.of(9L, 8L), last.items());
        assertNull(last.nextCursor());
    }

    private static void assertInvalidCursor(ApiProblem problem) {
        assertEquals(400, problem.status());
        assertEquals("invalid-cursor", problem.type());
    }

    private static String base64(String raw) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(raw.getBytes(StandardCharsets.UTF_8));
    }
}
