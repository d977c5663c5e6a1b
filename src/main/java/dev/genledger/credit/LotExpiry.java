package dev.genledger.credit;

import java.util.List;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import dev.genledger.db.OncePerFleet;
import dev.genledger.db.Sql;
import dev.genledger.db.TranslateFailures;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.scheduler.Scheduled;
import org.jboss.logging.Logger;

/**
 * Expires lots: what is left of a lot past its expiry leaves the balance as one EXPIRE ledger row,
 * drawn from that lot. A lot with credits held for a job waits until the hold settles (its capture
 * spends them, its release leaves them to the next run). Exactly once, however many replicas run
 * it and wherever one is killed: a run learns its users first (a plain read), then expires all of
 * their lots in one transaction holding their balance locks and a transaction-level advisory lock
 * (another replica's run skips); each expiry is a conditional update of its lot and a ledger row
 * whose idempotency key names the lot, unique per user, so a second expiry of a lot cannot commit.
 */
@ApplicationScoped
@TranslateFailures
public class LotExpiry {

    private static final Logger LOG = Logger.getLogger(LotExpiry.class);

    /** The advisory lock key of the sweep ("lotexpir" in ASCII); shared by every replica. */
    static final long SWEEP_LOCK = 0x6c6f746578706972L;

    static final String ACTOR = "system:lot-expiry";

    private static final String EXPIRABLE = "l.remaining > 0 AND l.held = 0 AND l.expires_at <= now()";

    // The balance change, its ledger row, its draw and the lot, in one round trip; the lot's
    // conditional update returns nothing (and the transaction is rolled back) if it moved meanwhile.
    private static final String EXPIRE = """
            WITH changed AS (
                UPDATE live_users SET balance = balance - ?, updated_at = now() WHERE id = ? AND balance - ? >= held
                RETURNING balance),
            entry AS (
                INSERT INTO credit_ledger (user_id, amount, balance_after, kind, reason, reference, idempotency_key,
                                           request_hash, actor)
                SELECT ?, ?, balance, 'EXPIRE', 'credits expired', ?, ?, ?, ? FROM changed
                RETURNING id),
            drawn AS (INSERT INTO credit_lot_draws (ledger_id, lot_id, amount) SELECT id, ?, ? FROM entry)
            UPDATE credit_lots SET remaining = 0, expiry_ledger_id = entry.id FROM entry
            WHERE credit_lots.id = ? AND remaining = ? AND held = 0 AND expiry_ledger_id IS NULL
            RETURNING credit_lots.id
            """;

    private record Expirable(long id, UUID userId, long remaining) {
    }

    @Inject
    Sql sql;

    @Inject
    BalanceSerializer serializer;

    @Inject
    OncePerFleet fleet;

    @Inject
    CreditsConfig config;

    @Inject
    MeterRegistry registry;

    @Scheduled(identity = "lot-expiry", every = "${genledger.credits.expiry-every:1m}",
            delayed = "${genledger.credits.expiry-delay:20s}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void scheduled() {
        OncePerFleet.scheduled(LOG, "lot expiry", "lot expiry: %d lots expired", this::run);
    }

    /** Expires up to a batch of lots now; the number expired, or -1 when another run holds the lock. */
    public int run() {
        List<UUID> users = sql.list("SELECT DISTINCT l.user_id FROM credit_lots l JOIN live_users u ON u.id = l.user_id "
                + "WHERE " + EXPIRABLE + " LIMIT ?", rs -> rs.getObject(1, UUID.class), config.expiryBatch());
        if (users.isEmpty()) {
            return 0;
        }
        int expired = serializer.inTransaction(users, () -> {
            if (!fleet.tryLock(SWEEP_LOCK)) {
                return -1;
            }
            List<Expirable> lots = sql.list("SELECT l.id, l.user_id, l.remaining FROM credit_lots l WHERE "
                    + EXPIRABLE + " AND l.user_id = ANY (?::uuid[]) ORDER BY l.id",
                    rs -> new Expirable(rs.getLong(1), rs.getObject(2, UUID.class), rs.getLong(3)),
                    (Object) users.stream().map(UUID::toString).toArray(String[]::new));
            lots.forEach(this::expire);
            return lots.size();
        });
        if (expired > 0) {
            Counter.builder("genledger.credits.lots.expired")
                    .description("Credit lots whose rest the expiry sweep took as an EXPIRE ledger row")
                    .register(registry).increment(expired);
        }
        return expired;
    }

    private void expire(Expirable lot) {
        String key = "lot-expiry:" + lot.id();
        sql.first(EXPIRE, rs -> rs.getLong(1),
                lot.remaining(), lot.userId(), lot.remaining(),
                lot.userId(), -lot.remaining(), "lot:" + lot.id(), key, CreditCommand.hash(key), ACTOR,
                lot.id(), -lot.remaining(),
                lot.id(), lot.remaining())
                .orElseThrow(() -> new IllegalStateException("lot " + lot.id() + " changed under its user's lock"));
    }
}
