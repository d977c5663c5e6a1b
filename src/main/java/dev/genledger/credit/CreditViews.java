package dev.genledger.credit;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * What the credit endpoints answer. Each record is registered for reflection: several are returned
 * inside a {@code Response} or a {@link dev.genledger.api.Page}, where the native build cannot see
 * their types, and Jackson serializes them through their accessors.
 */
public final class CreditViews {

    private CreditViews() {
    }

    /** One ledger row. {@code amount} is signed: negative for spends and outgoing transfers. */
    @RegisterForReflection
    public record Entry(long id, UUID userId, String kind, long amount, long balanceAfter, String reason,
            String reference, UUID transferId, OffsetDateTime createdAt) {

        static Entry from(LedgerEntry e) {
            return new Entry(e.id, e.userId, e.kind, e.amount, e.balanceAfter, e.reason, e.reference, e.transferId,
                    e.createdAt);
        }
    }

    /** A grant's ledger row and the lot it created. */
    @RegisterForReflection
    public record Grant(long id, UUID userId, String kind, long amount, long balanceAfter, String reason,
            String reference, UUID transferId, OffsetDateTime createdAt, Lot lot) {

        static Grant of(Entry e, Lot lot) {
            return new Grant(e.id(), e.userId(), e.kind(), e.amount(), e.balanceAfter(), e.reason(), e.reference(),
                    e.transferId(), e.createdAt(), lot);
        }
    }

    /**
     * {@code total} (also {@code balance}) is every credit the user has; {@code held} is reserved by
     * open job holds; {@code available} is what can be spent: the unheld credits of lots not past
     * their expiry. {@code lots} are the lots still holding credits, in the order they are drawn.
     */
    @RegisterForReflection
    public record Balance(UUID userId, long balance, long held, long available, long total, List<Lot> lots) {
    }

    static final String LOT_VIEW_COLUMNS = "l.id, l.category, l.amount, l.remaining, l.held, l.priority, l.expires_at, "
            + "l.expires_at IS NOT NULL AND l.expires_at <= now(), "
            + "(SELECT g.reference FROM credit_ledger g WHERE g.id = l.ledger_id), l.created_at";

    /**
     * A credit lot. {@code status}: {@code active} (credits left, not past its expiry), {@code spent}
     * (none left), {@code expired} (past its expiry: what it still holds is held for a job, or about
     * to leave the balance as one EXPIRE ledger row).
     */
    @RegisterForReflection
    public record Lot(long id, String category, long amount, long remaining, long held, long available, int priority,
            OffsetDateTime expiresAt, String status, String reference, OffsetDateTime createdAt) {

        static Lot read(ResultSet rs) throws SQLException {
            boolean expired = rs.getBoolean(8);
            long remaining = rs.getLong(4);
            long held = rs.getLong(5);
            return new Lot(rs.getLong(1), rs.getString(2), rs.getLong(3), remaining, held,
                    expired ? 0 : remaining - held, rs.getInt(6), rs.getObject(7, OffsetDateTime.class),
                    expired ? "expired" : remaining == 0 ? "spent" : "active", rs.getString(9),
                    rs.getObject(10, OffsetDateTime.class));
        }

        /** The lot as the grant that created it answered: whole, unheld and active (its expiry was in the future). */
        Lot asCreated() {
            return new Lot(id, category, amount, amount, 0, amount, priority, expiresAt, "active", reference, createdAt);
        }
    }

    @RegisterForReflection
    public record Transfer(UUID transferId, UUID fromUserId, UUID toUserId, long amount, long fromBalanceAfter,
            long toBalanceAfter, String reason, OffsetDateTime createdAt) {
    }

    @RegisterForReflection
    public record Mismatch(UUID userId, long balance, long ledgerSum, String problem) {
    }

    @RegisterForReflection
    public record Reconciliation(long checked, List<Mismatch> mismatches) {
    }
}
