package dev.genledger.credit;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;

import dev.genledger.api.Cursor;
import dev.genledger.api.Page;
import dev.genledger.db.TranslateFailures;
import dev.genledger.user.User;
import io.micrometer.core.instrument.MeterRegistry;

/** Balances, balance changes, transfers, the ledger and its reconciliation. */
@ApplicationScoped
@TranslateFailures
public class CreditService {

    @Inject
    CreditLanes lanes;

    @Inject
    LedgerWriter writer;

    @Inject
    BalanceSerializer serializer;

    @Inject
    EntityManager em;

    @Inject
    MeterRegistry registry;

    /** What the last reconciliation on this replica found; the gauge appears with the first one. */
    private final AtomicLong lastMismatches = new AtomicLong();

    /** Applies a grant, spend or refund; runs in its user's lane (see {@link CreditLanes}). */
    public CreditResult change(CreditCommand command) {
        return counted(command.kind(), lanes.submit(command));
    }

    /** Moves credits between two users, holding both users' balance locks ({@link BalanceSerializer}). */
    public LedgerWriter.TransferResult transfer(UUID from, UUID to, long amount, String reason, String key,
            String actor) {
        LedgerWriter.TransferResult result = serializer.inTransaction(List.of(from, to),
                () -> writer.transfer(from, to, amount, reason, key, actor));
        if (result.status() == CreditResult.Status.APPLIED) {
            registry.counter("genledger.credits", "kind", "transfer").increment(amount);
        } else if (result.status() == CreditResult.Status.REPLAYED) {
            registry.counter("genledger.idempotent.replays").increment();
        }
        return result;
    }

    @Transactional(Transactional.TxType.SUPPORTS)
    public Optional<CreditViews.Balance> balance(UUID userId) {
        return Optional.ofNullable(User.findLive(userId)).map(u -> new CreditViews.Balance(u.id, u.balance, u.held, u.balance - u.held));
    }

    /** A page of a live user's ledger, newest first; empty when the user is absent or deleted. */
    @Transactional
    public Optional<Page<CreditViews.Entry>> ledger(UUID userId, String cursor, int limit) {
        if (User.findLive(userId) == null) {
            return Optional.empty();
        }
        List<CreditViews.Entry> rows = LedgerEntry
                .<LedgerEntry> find("userId = ?1 and id < ?2 order by id desc", userId, Cursor.decode(cursor))
                .range(0, limit).list().stream().map(CreditViews.Entry::from).toList();
        return Optional.of(Page.of(rows, limit, CreditViews.Entry::id));
    }

    /**
     * Checks, in one snapshot, that every user's balance equals the sum of their ledger, that
     * every ledger row's balance_after equals the running sum up to it, and that every user's
     * held credits equal the sum of their open holds.
     */
    @Transactional
    public CreditViews.Reconciliation reconcile() {
        long checked = ((Number) em.createNativeQuery("SELECT count(*) FROM users").getSingleResult()).longValue();
        List<CreditViews.Mismatch> mismatches = new ArrayList<>();
        @SuppressWarnings("unchecked")
        List<Object[]> sums = em.createNativeQuery("""
                SELECT u.id, u.balance, COALESCE(l.total, 0)
                FROM users u LEFT JOIN (SELECT user_id, sum(amount) AS total FROM credit_ledger GROUP BY user_id) l
                     ON l.user_id = u.id
                WHERE u.balance <> COALESCE(l.total, 0)
                ORDER BY u.id
                """).getResultList();
        for (Object[] row : sums) {
            mismatches.add(new CreditViews.Mismatch((UUID) row[0], ((Number) row[1]).longValue(),
                    ((Number) row[2]).longValue(), "balance differs from the sum of the ledger"));
        }
        @SuppressWarnings("unchecked")
        List<Object[]> running = em.createNativeQuery("""
                SELECT user_id, min(balance_after), min(running) FROM (
                    SELECT user_id, balance_after, sum(amount) OVER (PARTITION BY user_id ORDER BY id) AS running
                    FROM credit_ledger) r
                WHERE balance_after <> running
                GROUP BY user_id ORDER BY user_id
                """).getResultList();
        for (Object[] row : running) {
            mismatches.add(new CreditViews.Mismatch((UUID) row[0], ((Number) row[1]).longValue(),
                    ((Number) row[2]).longValue(), "a ledger row's balance_after differs from the running sum"));
        }
        @SuppressWarnings("unchecked")
        List<Object[]> holds = em.createNativeQuery("""
                SELECT u.id, u.held, COALESCE(h.total, 0)
                FROM users u LEFT JOIN (SELECT user_id, sum(amount) AS total FROM credit_holds WHERE status = 'OPEN'
                                        GROUP BY user_id) h ON h.user_id = u.id
                WHERE u.held <> COALESCE(h.total, 0)
                ORDER BY u.id
                """).getResultList();
        for (Object[] row : holds) {
            mismatches.add(new CreditViews.Mismatch((UUID) row[0], ((Number) row[1]).longValue(),
                    ((Number) row[2]).longValue(), "held differs from the sum of the open holds"));
        }
        lastMismatches.set(mismatches.size());
        registry.gauge("genledger.reconciliation.mismatches", lastMismatches);
        registry.counter("genledger.reconciliation.runs").increment();
        return new CreditViews.Reconciliation(checked, mismatches);
    }

    private CreditResult counted(LedgerKind kind, CreditResult result) {
        if (result.status() == CreditResult.Status.APPLIED) {
            registry.counter("genledger.credits", "kind", kind.name().toLowerCase()).increment(Math.abs(result.entry().amount()));
        } else if (result.status() == CreditResult.Status.REPLAYED) {
            registry.counter("genledger.idempotent.replays").increment();
        }
        return result;
    }
}
