package dev.genledger.credit;

import static dev.genledger.support.Api.asService;
import static dev.genledger.support.Api.balance;
import static dev.genledger.support.Api.newUserWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;

/** The per-user locks seen from inside the application (so not re-run against the binary). */
@QuarkusTest
class UserLocksTests {

    @Inject
    UserLocks locks;

    @Inject
    CreditsConfig config;

    private static int spend(UUID user, long amount) {
        return asService().body(Map.of("amount", amount, "reason", "race")).post("/v1/users/{id}/credits/spend", user)
                .then().extract().statusCode();
    }

    @Test
    void aLaneOutlivesAWaitForItsUserThatTimesOut() throws Exception {
        // Found by the chaos suite: a transfer holding a user longer than the lanes wait killed the
        // lane's drainer, and every later spend of that user hung until its timeout.
        UUID user = newUserWith(100);
        CountDownLatch held = new CountDownLatch(1);
        long holdMillis = config.lockWait().toMillis() + 500; // past the lane's wait, well within the spend's retries (4 s)
        Thread holder = Thread.ofVirtual().start(() -> locks.withUser(user, () -> {
            held.countDown();
            try {
                Thread.sleep(holdMillis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return null;
        }));
        held.await();
        assertEquals(201, spend(user, 1), "the wait that timed out is retried and, the user free again, applied");
        holder.join();
        for (int i = 0; i < 3; i++) {
            long started = System.nanoTime();
            assertEquals(201, spend(user, 1), "the lane still drains");
            assertTrue(System.nanoTime() - started < 2_000_000_000L, "the lane still drains promptly");
        }
        assertEquals(96, balance(user));
    }
}
