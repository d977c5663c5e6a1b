package dev.genledger.api;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The surrogate check on its own. */
class WellFormedStringsTests {

    @Test
    void wholePairsPassHalvesDoNot() {
        assertTrue(WellFormedStrings.wellFormed(""));
        assertTrue(WellFormedStrings.wellFormed("plain é ✓"));
        assertTrue(WellFormedStrings.wellFormed("\ud83d\ude00 and \ud83d\ude00"));
        assertFalse(WellFormedStrings.wellFormed("\ud83d"));
        assertFalse(WellFormedStrings.wellFormed("x\ude00"));
        assertFalse(WellFormedStrings.wellFormed("\ude00\ud83d"));
        assertFalse(WellFormedStrings.wellFormed("\ud83d\ude00\ud83d"));
    }
}
