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
import dev.genledger.db.Sql;
import dev.genledger.db.TranslateFailures;
import dev.genledger.user.User;
import io.quarkus.panache.common.Parameters;
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
    Sql sql;

    @Inject
    MeterRegistry registry;

    /** Most lots the balance shows; the lots listing pages through all of them. */
    static final int BALANCE_LOTS = 100;

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

    /** The balance and the lots still holding credits (the first {@value #BALANCE_LOTS}, in draw order). */
    @Transactional
    public Optional<CreditViews.Balance> balance(UUID userId) {
        User user = User.findLive(userId);
        if (user == null) {
            return Optional.empty();
        }
        List<CreditViews.Lot> live = sql.list("SELECT " + CreditViews.LOT_VIEW_COLUMNS + " FROM credit_lots l "
                + "WHERE l.user_id = ? AND l.remaining > 0 ORDER BY " + LotOrder.SQL + " LIMIT ?", CreditViews.Lot::read,
                userId, BALANCE_LOTS);
        long available = sql.first("SELECT COALESCE(sum(remaining - held), 0) FROM credit_lots WHERE user_id = ? "
                + "AND remaining > 0 AND (expires_at IS NULL OR expires_at > now())", rs -> rs.getLong(1), userId)
                .orElseThrow();
        return Optional.of(new CreditViews.Balance(user.id, user.balance, user.held, available, user.balance, live));
    }

    /** A page of a live user's lots, newest first; empty when the user is absent or deleted. */
    @Transactional
    public Optional<Page<CreditViews.Lot>> lots(UUID userId, String cursor, int limit) {
        if (User.findLive(userId) == null) {
            return Optional.empty();
        }
        List<CreditViews.Lot> rows = sql.list("SELECT " + CreditViews.LOT_VIEW_COLUMNS + " FROM credit_lots l "
                + "WHERE l.user_id = ? AND l.id < ? ORDER BY l.id DESC LIMIT ?", CreditViews.Lot::read,
                userId, Cursor.decode(cursor), limit + 1);
        return Optional.of(Page.of(rows, limit, CreditViews.Lot::id));
    }

    /**
     * A page of a live user's ledger rows that pass the filter, newest first; empty when the user is
     * absent or deleted. The cursor is a row id, so paging stays stable while rows are added.
     */
    @Transactional
    public Optional<Page<CreditViews.Entry>> ledger(UUID userId, LedgerFilter filter, String cursor, int limit) {
        if (User.findLive(userId) == null) {
            return Optional.empty();
        }
        StringBuilder query = new StringBuilder("userId = :user and id < :after");
        Parameters params = Parameters.with("user", userId).and("after", Cursor.decode(cursor));
        if (filter.from() != null) {
            query.append(" and createdAt >= :from");
            params.and("from", filter.from());
        }
        if (filter.to() != null) {
            query.append(" and createdAt < :to");
            params.and("to", filter.to());
        }
        if (!filter.kinds().isEmpty()) {
            query.append(" and kind in :kinds");
            params.and("kinds", filter.kindNames());
        }
        List<CreditViews.Entry> rows = LedgerEntry.<LedgerEntry> find(query + " order by id desc", params)
                .range(0, limit).list().stream().map(CreditViews.Entry::from).toList();
        return Optional.of(Page.of(rows, limit, CreditViews.Entry::id));
    }

    /** One reconciliation check: each row it finds is a mismatch (user, value found, value expected). */
    private record Check(String problem, String query) {
    }

    private static final List<Check> CHECKS = List.of(
            new Check("balance differs from the sum of the ledger", """
                    SELECT u.id, u.balance, COALESCE(l.total, 0)
                    FROM users u LEFT JOIN (SELECT user_id, sum(amount) AS total FROM credit_ledger GROUP BY user_id) l
                         ON l.user_id = u.id
                    WHERE u.balance <> COALESCE(l.total, 0)
                    ORDER BY u.id
                    """),
            new Check("a ledger row's balance_after differs from the running sum", """
                    SELECT user_id, min(balance_after), min(running) FROM (
                        SELECT user_id, balance_after, sum(amount) OVER (PARTITION BY user_id ORDER BY id) AS running
                        FROM credit_ledger) r
                    WHERE balance_after <> running
                    GROUP BY user_id ORDER BY user_id
                    """),
            new Check("held differs from the sum of the open holds", """
                    SELECT u.id, u.held, COALESCE(h.total, 0)
                    FROM users u LEFT JOIN (SELECT user_id, sum(amount) AS total FROM credit_holds WHERE status = 'OPEN'
                                            GROUP BY user_id) h ON h.user_id = u.id
                    WHERE u.held <> COALESCE(h.total, 0)
                    ORDER BY u.id
                    """),
            new Check("balance differs from the sum of its lots", """
                    SELECT u.id, u.balance, COALESCE(l.total, 0)
                    FROM users u LEFT JOIN (SELECT user_id, sum(remaining) AS total FROM credit_lots GROUP BY user_id) l
                         ON l.user_id = u.id
                    WHERE u.balance <> COALESCE(l.total, 0)
                    ORDER BY u.id
                    """),
            new Check("held differs from the credits held in its lots", """
                    SELECT u.id, u.held, COALESCE(l.total, 0)
                    FROM users u LEFT JOIN (SELECT user_id, sum(held) AS total FROM credit_lots GROUP BY user_id) l
                         ON l.user_id = u.id
                    WHERE u.held <> COALESCE(l.total, 0)
                    ORDER BY u.id
                    """),
            new Check("a lot's remaining credits differ from its amount plus its draws", """
                    SELECT l.user_id, l.remaining, l.amount + COALESCE(d.total, 0)
                    FROM credit_lots l LEFT JOIN (SELECT lot_id, sum(amount) AS total FROM credit_lot_draws GROUP BY lot_id) d
                         ON d.lot_id = l.id
                    WHERE l.remaining <> l.amount + COALESCE(d.total, 0)
                    ORDER BY l.user_id, l.id
                    """),
            new Check("a lot's held credits differ from its open holds", """
                    SELECT l.user_id, l.held, COALESCE(h.total, 0)
                    FROM credit_lots l LEFT JOIN (SELECT hl.lot_id, sum(hl.amount) AS total
                                                 FROM credit_hold_lots hl JOIN credit_holds h ON h.id = hl.hold_id
                                                 WHERE h.status = 'OPEN' GROUP BY hl.lot_id) h ON h.lot_id = l.id
                    WHERE l.held <> COALESCE(h.total, 0)
                    ORDER BY l.user_id, l.id
                    """),
            new Check("a ledger row's amount differs from its draws and the lots it created", """
                    SELECT g.user_id, COALESCE(d.total, 0) + COALESCE(c.total, 0), g.amount
                    FROM credit_ledger g
                    LEFT JOIN (SELECT ledger_id, sum(amount) AS total FROM credit_lot_draws GROUP BY ledger_id) d
                         ON d.ledger_id = g.id
                    LEFT JOIN (SELECT ledger_id, sum(amount) AS total FROM credit_lots WHERE ledger_id IS NOT NULL
                               GROUP BY ledger_id) c ON c.ledger_id = g.id
                    WHERE (d.ledger_id IS NOT NULL OR c.ledger_id IS NOT NULL)
                      AND g.amount <> COALESCE(d.total, 0) + COALESCE(c.total, 0)
                    ORDER BY g.user_id, g.id
                    """),
            new Check("a ledger row draws from another user's lot", """
                    SELECT g.user_id, d.amount, 0
                    FROM credit_lot_draws d JOIN credit_ledger g ON g.id = d.ledger_id JOIN credit_lots l ON l.id = d.lot_id
                    WHERE l.user_id <> g.user_id
                    ORDER BY g.user_id, g.id
                    """));

    /**
     * Checks, in one snapshot, that every user's balance equals the sum of their ledger, that
     * every ledger row's balance_after equals the running sum up to it, and that every user's
     * held credits equal the sum of their open holds; and for lots: that a user's balance and held
     * credits equal the sums of their lots', that each lot's remaining credits equal its amount
     * plus its draws, that the lots held for open holds match, and that every ledger row with
     * draws (or that created a lot) moved exactly its amount through them, from its own user's lots.
     * Each mismatch gives the value found ({@code balance}) and the one expected ({@code ledgerSum}).
     */
    @Transactional
    public CreditViews.Reconciliation reconcile() {
        long checked = ((Number) em.createNativeQuery("SELECT count(*) FROM users").getSingleResult()).longValue();
        List<CreditViews.Mismatch> mismatches = new ArrayList<>();
        for (Check check : CHECKS) {
            @SuppressWarnings("unchecked")
            List<Object[]> rows = em.createNativeQuery(check.query()).getResultList();
            for (Object[] row : rows) {
                mismatches.add(new CreditViews.Mismatch((UUID) row[0], ((Number) row[1]).longValue(),
                        ((Number) row[2]).longValue(), check.problem()));
            }
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
