package dev.genledger.credit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.Test;

/** The stripe lock statement alone (no database): what makes two lockers never deadlock. */
class BalanceLockStatementTests {

    private static UUID onStripe(int stripe) {
        while (true) {
            UUID user = UUID.randomUUID();
            if (BalanceLocks.stripe(user) == stripe) {
                return user;
            }
        }
    }

    @Test
    void stripesAreLockedInOneSortedStatementWhateverTheOrderOfTheUsers() {
        List<UUID> users = new ArrayList<>(List.of(onStripe(200), onStripe(7), onStripe(31)));
        String expected = "LOCK TABLE balance_locks.s007, balance_locks.s031, balance_locks.s200 IN EXCLUSIVE MODE";
        for (int i = 0; i < 3; i++) {
            Collections.rotate(users, 1);
            assertEquals(expected, BalanceLocks.statement(users));
        }
    }

    @Test
    void usersSharingAStripeLockItOnce() {
        assertEquals("LOCK TABLE balance_locks.s042 IN EXCLUSIVE MODE",
                BalanceLocks.statement(List.of(onStripe(42), onStripe(42), onStripe(42))));
    }

    @Test
    void everyUserHasOneStripeOfTheTablesMigrationV15Creates() {
        for (int i = 0; i < 10_000; i++) {
            UUID user = UUID.randomUUID();
            int stripe = BalanceLocks.stripe(user);
            assertTrue(stripe >= 0 && stripe < BalanceLocks.STRIPES, "stripe " + stripe);
            assertEquals(stripe, BalanceLocks.stripe(UUID.fromString(user.toString())), "stable for one user");
        }
        assertEquals("balance_locks.s000", BalanceLocks.table(0));
        assertEquals("balance_locks.s255", BalanceLocks.table(BalanceLocks.STRIPES - 1));
    }
}
