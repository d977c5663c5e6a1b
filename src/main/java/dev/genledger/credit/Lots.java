package dev.genledger.credit;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;

import dev.genledger.db.Sql;

/**
 * Credit lots (migration V28): reads a transaction's lots into a {@link LotBook}, writes its draws,
 * creates lots, and moves the lots of job holds. Runs inside the transaction of
 * {@link BalanceSerializer}, like {@link LedgerWriter} and {@link Holds}.
 */
@ApplicationScoped
@Transactional(Transactional.TxType.MANDATORY)
public class Lots {

    static final String LOT_COLUMNS = "id, user_id, category, priority, expires_at, expires_at IS NOT NULL AND "
            + "expires_at <= now(), amount, remaining, held";

    // A refund looks back over this many lots drawn by the user's latest spends, captures and
    // transfers out; what it cannot return to them becomes a lot of its own.
    private static final int REFUND_LOOKBACK = 100;

    @Inject
    Sql sql;

    /** The lots that still hold credits of the given users (their balance locks are held). */
    LotBook open(Collection<UUID> users) {
        String[] ids = users.stream().distinct().map(UUID::toString).toArray(String[]::new);
        return new LotBook(sql.list("SELECT " + LOT_COLUMNS + " FROM credit_lots WHERE user_id = ANY (?::uuid[]) "
                + "AND remaining > 0", Lots::lot, (Object) ids));
    }

    /** Writes the book's draws and moves its lots' remaining credits by them, in one statement. */
    void flush(LotBook book) {
        if (!book.hasDraws()) {
            return;
        }
        sql.update("""
                WITH d AS (
                    INSERT INTO credit_lot_draws (ledger_id, lot_id, amount)
                    SELECT * FROM unnest(?::bigint[], ?::bigint[], ?::bigint[])
                    RETURNING lot_id, amount)
                UPDATE credit_lots l SET remaining = l.remaining + s.delta
                FROM (SELECT lot_id, sum(amount) AS delta FROM d GROUP BY lot_id) s
                WHERE l.id = s.lot_id
                """, book.drawLedgerIds(), book.drawLotIds(), book.drawAmounts());
        book.flushed();
    }

    /** A new lot holding all of {@code amount}, created by the ledger row; added to the book. */
    LotBook.Lot create(LotBook book, UUID user, long ledgerId, long amount, LotTerms terms) {
        LotBook.Lot lot = sql.first("INSERT INTO credit_lots (user_id, ledger_id, category, amount, remaining, priority, "
                + "expires_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING " + LOT_COLUMNS, Lots::lot,
                user, ledgerId, terms.category(), amount, amount, terms.priority(), terms.expiresAt()).orElseThrow();
        book.add(lot);
        return lot;
    }

    /**
     * Returns a refund to the lots it came from: the lots drawn by the user's latest spends,
     * captures and transfers out, newest first, each up to what was drawn from it and never past
     * its amount. A lot past its expiry is never refilled (it expires once, and what it held is
     * gone from the balance or about to be): those credits, and any beyond what was drawn, come
     * back as one new paid lot that never expires, created by the refund's ledger row.
     */
    void refund(LotBook book, UUID user, long ledgerId, long amount) {
        record Drawn(LotBook.Lot lot, long amount) {
        }
        // the draws of this batch's earlier spends must be visible to the look-back
        flush(book);
        List<Drawn> drawn = sql.list("""
                SELECT l.id, l.user_id, l.category, l.priority, l.expires_at,
                       l.expires_at IS NOT NULL AND l.expires_at <= now(), l.amount, l.remaining, l.held, -d.amount
                FROM (SELECT id FROM credit_ledger WHERE user_id = ? AND kind IN ('SPEND', 'CAPTURE', 'TRANSFER_OUT')
                      ORDER BY id DESC LIMIT ?) g
                JOIN credit_lot_draws d ON d.ledger_id = g.id JOIN credit_lots l ON l.id = d.lot_id
                ORDER BY g.id DESC, d.lot_id DESC
                """, rs -> new Drawn(lot(rs), rs.getLong(10)), user, REFUND_LOOKBACK);
        Map<LotBook.Lot, Long> returned = new LinkedHashMap<>();
        long left = amount;
        for (Drawn d : drawn) {
            book.add(d.lot());
            LotBook.Lot lot = book.lot(d.lot().id).orElseThrow();
            long room = lot.amount - lot.remaining - returned.getOrDefault(lot, 0L);
            long give = lot.expired ? 0 : Math.min(left, Math.min(d.amount(), room));
            if (give > 0) {
                returned.merge(lot, give, Long::sum);
                left -= give;
            }
            if (left == 0) {
                break;
            }
        }
        returned.forEach((lot, give) -> book.give(ledgerId, lot, give));
        if (left > 0) {
            create(book, user, ledgerId, left, LotTerms.PAID_FOREVER);
        }
    }

    /**
     * The terms of the lot a transfer's receiver gets: it expires when the soonest-expiring credit
     * it carries would have (never, if none of the drawn lots expires), and is promotional if any
     * promotional credit went into it, so a transfer never makes credits last longer or look paid.
     */
    static LotTerms transferred(LotBook book, List<LotBook.Draw> plan) {
        List<LotBook.Lot> drawn = plan.stream().map(d -> book.lot(d.lotId()).orElseThrow()).toList();
        OffsetDateTime expiry = drawn.stream().map(l -> l.expiresAt).filter(Objects::nonNull)
                .min(OffsetDateTime::compareTo).orElse(null);
        boolean promotional = drawn.stream().anyMatch(l -> LotTerms.PROMOTIONAL.equals(l.category));
        return new LotTerms(promotional ? LotTerms.PROMOTIONAL : LotTerms.PAID, expiry, LotTerms.DEFAULT_PRIORITY);
    }

    /** Reserves a hold's credits in the plan's lots. */
    void reserve(long holdId, List<LotBook.Draw> plan) {
        sql.update("""
                WITH v AS (SELECT * FROM unnest(?::bigint[], ?::bigint[]) AS v(lot_id, amount)),
                h AS (INSERT INTO credit_hold_lots (hold_id, lot_id, amount) SELECT ?, lot_id, amount FROM v)
                UPDATE credit_lots l SET held = l.held + v.amount FROM v WHERE l.id = v.lot_id
                """, plan.stream().mapToLong(LotBook.Draw::lotId).toArray(),
                plan.stream().mapToLong(LotBook.Draw::amount).toArray(), holdId);
    }

    /**
     * Spends {@code amount} of what the hold reserved, from its lots in their draw order, as draws
     * of its CAPTURE ledger row, and gives the rest back to them.
     */
    void capture(long holdId, long ledgerId, long amount) {
        sql.update("""
                WITH h AS (SELECT hl.lot_id, hl.amount,
                                  sum(hl.amount) OVER (ORDER BY %s) - hl.amount AS before
                           FROM credit_hold_lots hl JOIN credit_lots l ON l.id = hl.lot_id WHERE hl.hold_id = ?),
                t AS (SELECT lot_id, amount AS held, LEAST(amount, GREATEST(0, ? - before)) AS taken FROM h),
                d AS (INSERT INTO credit_lot_draws (ledger_id, lot_id, amount)
                      SELECT ?, lot_id, -taken FROM t WHERE taken > 0)
                UPDATE credit_lots l SET remaining = l.remaining - t.taken, held = l.held - t.held
                FROM t WHERE l.id = t.lot_id
                """.formatted(LotOrder.SQL_QUALIFIED), holdId, amount, ledgerId);
    }

    /** Gives what the hold reserved back to its lots (a lot past its expiry is then left to the sweep). */
    void release(long holdId) {
        sql.update("""
                UPDATE credit_lots l SET held = l.held - h.amount
                FROM credit_hold_lots h WHERE h.hold_id = ? AND l.id = h.lot_id
                """, holdId);
    }

    /** The lot a ledger row created, for the answer of a grant (also when replayed). */
    Optional<CreditViews.Lot> createdBy(long ledgerId) {
        return sql.first("SELECT " + CreditViews.LOT_VIEW_COLUMNS + " FROM credit_lots l WHERE l.ledger_id = ?",
                CreditViews.Lot::read, ledgerId);
    }

    static LotBook.Lot lot(ResultSet rs) throws SQLException {
        return new LotBook.Lot(rs.getLong(1), rs.getObject(2, UUID.class), rs.getString(3), rs.getInt(4),
                rs.getObject(5, OffsetDateTime.class), rs.getBoolean(6), rs.getLong(7), rs.getLong(8), rs.getLong(9));
    }
}
