package dev.genledger.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;

class BufferedBodiesTests {

    @Test
    void reservationsNeverTogetherExceedTheBudgetAndReleasedBytesCanBeReservedAgain() {
        BufferedBodies budget = new BufferedBodies(1000);
        assertTrue(budget.tryReserve(600));
        assertFalse(budget.tryReserve(401), "over the budget");
        assertTrue(budget.tryReserve(400), "exactly up to it");
        assertFalse(budget.tryReserve(1));
        budget.release(600);
        assertTrue(budget.tryReserve(600));
    }

    @Test
    void concurrentReservationsGrantExactlyWhatFits() {
        BufferedBodies budget = new BufferedBodies(100 * 1024);
        AtomicInteger granted = new AtomicInteger();
        IntStream.range(0, 10_000).parallel().forEach(i -> {
            if (budget.tryReserve(1024)) {
                granted.incrementAndGet();
            }
        });
        assertEquals(100, granted.get());
    }
}
