package dev.genledger.credit;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;

import dev.genledger.db.Sql;
import dev.genledger.db.TranslateFailures;
import dev.genledger.user.User;

/**
 * A balance and its lots as they stood at an instant, read from the ledger, the draws and the
 * holds, never from the live columns. A change counts from the time the ledger gives it (the
 * start of the transaction that made it): the balance is the sum of the user's ledger rows up to
 * the instant, a lot is there once the row that created it is, its remaining credits are its
 * amount plus the draws of the rows up to the instant, and its held credits are those of the holds
 * created by then and not settled by then. A lot is expired at the instant when its expiry has
 * passed; what it still held then leaves with the sweep's EXPIRE row, later.
 */
@ApplicationScoped
@TranslateFailures
public class BalanceHistory {

    // The lots of the user at the instant that still held credits then, with the columns of
    // CreditViews.LOT_VIEW_COLUMNS (parameters: user, at, user, at, at, at, user, at).
    private static final String LOTS_AT = """
            WITH rows AS (SELECT id FROM credit_ledger WHERE user_id = ? AND created_at <= ?),
            drawn AS (SELECT d.lot_id, sum(d.amount) AS total
                      FROM rows JOIN credit_lot_draws d ON d.ledger_id = rows.id GROUP BY d.lot_id),
            holds AS (SELECT id FROM credit_holds
                      WHERE user_id = ? AND created_at <= ? AND (settled_at IS NULL OR settled_at > ?)),
            held AS (SELECT hl.lot_id, sum(hl.amount) AS total
                     FROM holds JOIN credit_hold_lots hl ON hl.hold_id = holds.id GROUP BY hl.lot_id)
            SELECT * FROM (
                SELECT l.id, l.category, l.amount, l.amount + COALESCE(drawn.total, 0) AS remaining,
                       COALESCE(held.total, 0) AS held, l.priority, l.expires_at,
                       l.expires_at IS NOT NULL AND l.expires_at <= ? AS expired,
                       (SELECT g.reference FROM credit_ledger g WHERE g.id = l.ledger_id) AS reference, l.created_at
                FROM credit_lots l LEFT JOIN drawn ON drawn.lot_id = l.id LEFT JOIN held ON held.lot_id = l.id
                WHERE l.user_id = ? AND l.created_at <= ?) lot
            WHERE remaining > 0
            ORDER BY\s""" + LotOrder.SQL;

    @Inject
    Sql sql;

    /** The live user's balance at the instant; empty when the user is absent or deleted now. */
    @Transactional
    public Optional<CreditViews.Balance> at(UUID userId, OffsetDateTime at) {
        if (User.findLive(userId) == null) {
            return Optional.empty();
        }
        long balance = sql.first("SELECT COALESCE(sum(amount), 0) FROM credit_ledger WHERE user_id = ? AND created_at <= ?",
                rs -> rs.getLong(1), userId, at).orElseThrow();
        long held = sql.first("SELECT COALESCE(sum(amount), 0) FROM credit_holds WHERE user_id = ? AND created_at <= ? "
                + "AND (settled_at IS NULL OR settled_at > ?)", rs -> rs.getLong(1), userId, at, at).orElseThrow();
        List<CreditViews.Lot> lots = sql.list(LOTS_AT, CreditViews.Lot::read, userId, at, userId, at, at, at, userId, at);
        long available = lots.stream().mapToLong(CreditViews.Lot::available).sum();
        return Optional.of(new CreditViews.Balance(userId, balance, held, available, balance,
                List.copyOf(lots.subList(0, Math.min(lots.size(), CreditService.BALANCE_LOTS)))));
    }
}
