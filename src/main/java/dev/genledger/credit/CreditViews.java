package dev.genledger.credit;

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

    /** {@code held} is reserved by open job holds; {@code available = balance - held} can be spent. */
    @RegisterForReflection
    public record Balance(UUID userId, long balance, long held, long available) {
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
