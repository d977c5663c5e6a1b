package dev.genledger.credit;

import static dev.genledger.support.Api.asAdmin;
import static dev.genledger.support.Api.asService;
import static dev.genledger.support.Api.balance;
import static dev.genledger.support.Api.newUser;
import static org.hamcrest.Matchers.hasSize;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import dev.genledger.support.Concurrently;
import dev.genledger.support.Database;
import io.quarkus.test.junit.QuarkusTest;

/** The expiry sweep racing spends of the lots it expires: each credit is either spent or expired, once. */
@QuarkusTest
class LotExpiryRaceTests {

    private static final int LOTS = 5;
    private static final long LOT = 40;
    private static final int SPENDERS = 8;
    private static final int SPENDS = 30;

    @Inject
    LotExpiry expiry;

    @Test
    void expiryRacingSpendsOfTheSameLotsTakesEachCreditOnceAndNeverOverdraws() throws Exception {
        UUID user = newUser();
        List<Long> lots = new ArrayList<>();
        for (int i = 0; i < LOTS; i++) {
            lots.add(asService().body(Map.of("amount", LOT, "reason", "race", "category", "promotional",
                    "expiresAt", OffsetDateTime.now(ZoneOffset.UTC).plusDays(1).plusMinutes(i).toString()))
                    .post("/v1/users/{id}/credits/grant", user).then().statusCode(201).extract().jsonPath().getLong("lot.id"));
        }
        List<Long> expiring = lots.subList(0, 3);
        AtomicInteger spending = new AtomicInteger(SPENDERS);
        AtomicReference<OffsetDateTime> expiredBy = new AtomicReference<>();
        List<Integer> unexpected = new CopyOnWriteArrayList<>();
        List<Integer> outcomes = Concurrently.run(SPENDERS + 1, n -> {
            if (n == 0) {
                // once the spends are drawing the first lots, three of them reach their expiry
                while (spending.get() > 0
                        && Database.queryLong("SELECT count(*) FROM credit_ledger WHERE user_id = ? AND kind = 'SPEND'", user) < 40) {
                    LockSupport.parkNanos(50_000_000);
                }
                Database.execute("UPDATE credit_lots SET expires_at = now() WHERE id IN (?, ?, ?)",
                        expiring.get(0), expiring.get(1), expiring.get(2));
                expiredBy.set(OffsetDateTime.now(ZoneOffset.UTC));
                int runs = 0;
                while (spending.get() > 0) {
                    runs += expiry.run() >= 0 ? 1 : 0;
                    LockSupport.parkNanos(20_000_000);
                }
                return runs;
            }
            int spent = 0;
            try {
                for (int i = 0; i < SPENDS; i++) {
                    int status = asService().body(Map.of("amount", 1, "reason", "race"))
                            .post("/v1/users/{id}/credits/spend", user).statusCode();
                    if (status == 201) {
                        spent++;
                    } else if (status != 402) {
                        unexpected.add(status);
                        return 0;
                    }
                }
            } finally {
                spending.decrementAndGet();
            }
            return spent;
        });
        expiry.run();

        assertEquals(List.of(), unexpected, "spends are applied or refused for want of credits");
        int spent = outcomes.subList(1, outcomes.size()).stream().mapToInt(Integer::intValue).sum();
        assertTrue(spent > 0 && outcomes.getFirst() > 0, "spends and sweeps both ran: " + outcomes);
        long expired = -Database.queryLong(
                "SELECT COALESCE(sum(amount), 0) FROM credit_ledger WHERE user_id = ? AND kind = 'EXPIRE'", user);
        assertEquals(-spent, Database.queryLong(
                "SELECT COALESCE(sum(amount), 0) FROM credit_ledger WHERE user_id = ? AND kind = 'SPEND'", user));
        assertEquals(LOTS * LOT - spent - expired, balance(user), "each credit spent, expired or still there");
        assertTrue(balance(user) >= 0);
        for (long lot : lots) {
            long drawnBySpends = -Database.queryLong("SELECT COALESCE(sum(d.amount), 0) FROM credit_lot_draws d "
                    + "JOIN credit_ledger g ON g.id = d.ledger_id WHERE d.lot_id = ? AND g.kind = 'SPEND'", lot);
            long drawnByExpiry = -Database.queryLong("SELECT COALESCE(sum(d.amount), 0) FROM credit_lot_draws d "
                    + "JOIN credit_ledger g ON g.id = d.ledger_id WHERE d.lot_id = ? AND g.kind = 'EXPIRE'", lot);
            long remaining = Database.queryLong("SELECT remaining FROM credit_lots WHERE id = ?", lot);
            assertEquals(LOT, drawnBySpends + drawnByExpiry + remaining, "lot " + lot + ": every credit accounted once");
            assertTrue(Database.queryLong("SELECT count(*) FROM credit_ledger WHERE user_id = ? AND kind = 'EXPIRE' "
                    + "AND reference = ?", user, "lot:" + lot) <= 1, "lot " + lot + " expired at most once");
            if (expiring.contains(lot)) {
                assertEquals(0, remaining, "an expired lot keeps nothing");
                long spendsAfterExpiry = Database.queryLong("SELECT count(*) FROM credit_lot_draws d "
                        + "JOIN credit_ledger g ON g.id = d.ledger_id "
                        + "WHERE d.lot_id = ? AND g.kind = 'SPEND' AND g.created_at > ?", lot, expiredBy.get());
                assertEquals(0, spendsAfterExpiry, "no spend that began after the lot's expiry committed drew from it");
            }
        }
        asAdmin().get("/v1/admin/reconciliation").then().statusCode(200).body("mismatches", hasSize(0));
    }
}
