package dev.genledger.credit;

import java.util.List;
import java.util.Optional;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Status;
import jakarta.transaction.Synchronization;
import jakarta.transaction.Transactional;
import jakarta.transaction.TransactionSynchronizationRegistry;

import dev.genledger.db.Sql;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * Credits held for a job, settled exactly once. Runs inside the caller's transaction (the one
 * that creates or moves the job, begun by {@link BalanceSerializer}), so the job and its money can
 * never disagree. Each step is one conditional statement; a hold is settled only while it is
 * OPEN, and a capture's ledger row has a unique idempotency key per job as a last line of defence.
 *
 * <ul>
 * <li>hold: {@code users.held += cost} if {@code balance - held >= cost}; one OPEN credit_holds row.
 * No ledger row: the balance does not move (and the ledger refuses amounts of 0). The cost is
 * reserved in lots, in their draw order, and the hold keeps them (expiry waits) until it settles.</li>
 * <li>capture of n (at most cost): {@code balance -= n, held -= cost}; one CAPTURE ledger row of -n,
 * drawn from the hold's lots in their draw order, the rest given back to them (partial capture:
 * the release of the rest writes no ledger row, as the balance does not move for it; the hold's
 * {@code captured} says what it charged).</li>
 * <li>release: {@code held -= cost}, also in the hold's lots; no ledger row.</li>
 * </ul>
 */
@ApplicationScoped
@Transactional(Transactional.TxType.MANDATORY)
public class Holds {

    /** How a hold ended: APPLIED, or refused because the user is absent or cannot cover it. */
    public record HoldResult(CreditResult.Status status, long available) {
    }

    @Inject
    Sql sql;

    @Inject
    Lots lots;

    @Inject
    TransactionSynchronizationRegistry transaction;

    @Inject
    MeterRegistry registry;

    public HoldResult hold(UUID userId, UUID jobId, long amount, String actor) {
        LotBook book = lots.open(List.of(userId));
        Optional<List<LotBook.Draw>> plan = book.plan(userId, amount);
        if (plan.isEmpty()) {
            return sql.first("SELECT 1 FROM live_users WHERE id = ?",
                    rs -> new HoldResult(CreditResult.Status.INSUFFICIENT, book.available(userId)), userId)
                    .orElse(new HoldResult(CreditResult.Status.USER_NOT_FOUND, 0));
        }
        int held = sql.update("""
                UPDATE live_users SET held = held + ?, updated_at = now()
                WHERE id = ? AND balance - held >= ?
                """, amount, userId, amount);
        if (held == 0) {
            return sql.first("SELECT balance - held FROM live_users WHERE id = ?",
                    rs -> new HoldResult(CreditResult.Status.INSUFFICIENT, rs.getLong(1)), userId)
                    .orElse(new HoldResult(CreditResult.Status.USER_NOT_FOUND, 0));
        }
        lots.reserve(CreditHold.open(userId, jobId, amount, actor).id, plan.get());
        countOnCommit("hold", amount);
        return new HoldResult(CreditResult.Status.APPLIED, 0);
    }

    /**
     * Spends {@code amount} of the job's open hold (at most what it holds) and gives the rest back,
     * in this transaction: one CAPTURE ledger row of the amount, drawn from the hold's lots in their
     * draw order, the rest returned to them. Capturing 0 is a release. False when the job has no
     * open hold (already settled).
     */
    public boolean capture(UUID jobId, long amount, String reason, String reference, String actor) {
        Optional<CreditHold> open = CreditHold.lockOpen(jobId);
        if (open.isEmpty()) {
            return false;
        }
        CreditHold hold = open.get();
        if (amount < 0 || amount > hold.amount) {
            throw new IllegalArgumentException("cannot capture " + amount + " of a hold of " + hold.amount);
        }
        if (amount == 0) {
            // the ledger has no rows of 0: nothing was charged, so the hold is simply released
            releaseOpen(hold);
            return true;
        }
        long balanceAfter = sql.first(
                "UPDATE users SET balance = balance - ?, held = held - ?, updated_at = now() WHERE id = ? RETURNING balance",
                rs -> rs.getLong(1), amount, hold.amount, hold.userId).orElseThrow();
        String key = "job-capture:" + jobId;
        long ledgerId = sql.first("""
                INSERT INTO credit_ledger (user_id, amount, balance_after, kind, reason, reference, idempotency_key,
                                           request_hash, actor)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                RETURNING id
                """, rs -> rs.getLong(1), hold.userId, -amount, balanceAfter, LedgerKind.CAPTURE.name(),
                reason, reference, key, CreditCommand.hash(key), actor).orElseThrow();
        lots.capture(hold.id, ledgerId, amount);
        settle(hold, CreditHold.Status.CAPTURED, ledgerId, amount);
        countOnCommit("capture", amount);
        if (amount < hold.amount) {
            countOnCommit("release", hold.amount - amount);
        }
        return true;
    }

    /** Gives the job's open hold back; false when it has no open hold (already settled). */
    public boolean release(UUID jobId) {
        Optional<CreditHold> open = CreditHold.lockOpen(jobId);
        if (open.isEmpty()) {
            return false;
        }
        releaseOpen(open.get());
        return true;
    }

    private void releaseOpen(CreditHold hold) {
        sql.update("UPDATE users SET held = held - ?, updated_at = now() WHERE id = ?", hold.amount, hold.userId);
        lots.release(hold.id);
        settle(hold, CreditHold.Status.RELEASED, null, null);
        countOnCommit("release", hold.amount);
    }

    private void settle(CreditHold hold, CreditHold.Status outcome, Long ledgerId, Long captured) {
        if (hold.settle(outcome, ledgerId, captured) != 1) {
            throw new IllegalStateException("hold " + hold.id + " was settled under its lock");
        }
    }

    // Like the other credit counters, counted once the money has moved for good.
    private void countOnCommit(String kind, long amount) {
        transaction.registerInterposedSynchronization(new Synchronization() {
            @Override
            public void beforeCompletion() {
            }

            @Override
            public void afterCompletion(int status) {
                if (status == Status.STATUS_COMMITTED) {
                    registry.counter("genledger.credits", "kind", kind).increment(amount);
                }
            }
        });
    }
}
