package dev.genledger.credit;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;

/** What the credit endpoints answer. */
public final class CreditViews {

    private CreditViews() {
    }

    /** One ledger row. {@code amount} is signed: negative for spends and outgoing transfers. */
    public record Entry(long id, UUID userId, String kind, long amount, long balanceAfter, String reason,
            String reference, UUID transferId, OffsetDateTime createdAt) {

        static Entry from(LedgerEntry e) {
            return new Entry(e.id, e.userId, e.kind, e.amount, e.balanceAfter, e.reason, e.reference, e.transferId,
                    e.createdAt);
        }
    }

    /** {@code held} is reserved by open job holds; {@code available = balance - held} can be spent. */
    public record Balance(UUID userId, long balance, long held, long available) {
    }

    public record Transfer(UUID transferId, UUID fromUserId, UUID toUserId, long amount, long fromBalanceAfter,
            long toBalanceAfter, String reason, OffsetDateTime createdAt) {
    }

    public record Mismatch(UUID userId, long balance, long ledgerSum, String problem) {
    }

    public record Reconciliation(long checked, List<Mismatch> mismatches) {
    }
}
