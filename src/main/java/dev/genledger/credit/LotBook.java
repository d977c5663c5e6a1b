package dev.genledger.credit;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * A transaction's picture of its users' lots, read once ({@link Lots#open}) while the users' balance
 * locks are held: the draws of a whole batch are worked out here and written in one statement
 * ({@link Lots#flush}). The database still has the last word: its checks refuse a lot below its
 * holds or above its amount, and a lot changed behind the locks fails the batch's update with a
 * serialization error (REPEATABLE READ), retried like any other.
 */
final class LotBook {

    /** One lot as the transaction sees it. */
    static final class Lot {
        final long id;
        final UUID userId;
        final String category;
        final int priority;
        final OffsetDateTime expiresAt;
        /** Past its expiry as of the transaction's start: never drawn or refilled again. */
        final boolean expired;
        final long amount;
        long remaining;
        long held;

        Lot(long id, UUID userId, String category, int priority, OffsetDateTime expiresAt, boolean expired, long amount,
                long remaining, long held) {
            this.id = id;
            this.userId = userId;
            this.category = category;
            this.priority = priority;
            this.expiresAt = expiresAt;
            this.expired = expired;
            this.amount = amount;
            this.remaining = remaining;
            this.held = held;
        }

        long available() {
            return expired ? 0 : remaining - held;
        }
    }

    /** Credits a ledger row takes from (negative) or gives back to (positive) one lot. */
    record Draw(long lotId, long amount) {
    }

    private final Map<UUID, List<Lot>> byUser = new HashMap<>();
    private final Map<Long, Lot> byId = new HashMap<>();
    private final List<Long> drawLedgerIds = new ArrayList<>();
    private final List<Long> drawLotIds = new ArrayList<>();
    private final List<Long> drawAmounts = new ArrayList<>();

    LotBook(List<Lot> lots) {
        lots.forEach(this::add);
    }

    /** Adds a lot the transaction created or found; the user's lots stay in draw order. */
    void add(Lot lot) {
        if (byId.putIfAbsent(lot.id, lot) == null) {
            List<Lot> lots = byUser.computeIfAbsent(lot.userId, u -> new ArrayList<>());
            lots.add(lot);
            lots.sort(LotOrder.DRAW);
        }
    }

    Optional<Lot> lot(long id) {
        return Optional.ofNullable(byId.get(id));
    }

    /** What the user may spend: the unheld credits of their unexpired lots. */
    long available(UUID user) {
        return lots(user).stream().mapToLong(Lot::available).sum();
    }

    /** The draws that would cover {@code amount}, in draw order (positive amounts); empty when they cannot. */
    Optional<List<Draw>> plan(UUID user, long amount) {
        List<Draw> draws = new ArrayList<>();
        long left = amount;
        for (Lot lot : lots(user)) {
            long take = Math.min(left, lot.available());
            if (take > 0) {
                draws.add(new Draw(lot.id, take));
                left -= take;
            }
            if (left == 0) {
                return Optional.of(draws);
            }
        }
        return Optional.empty();
    }

    /** Takes a plan's credits from its lots for the ledger row, to be written by {@link Lots#flush}. */
    void take(long ledgerId, List<Draw> plan) {
        for (Draw draw : plan) {
            move(ledgerId, byId.get(draw.lotId()), -draw.amount());
        }
    }

    /** Gives credits back to a lot for the ledger row (a refund). */
    void give(long ledgerId, Lot lot, long amount) {
        move(ledgerId, lot, amount);
    }

    private void move(long ledgerId, Lot lot, long amount) {
        lot.remaining += amount;
        drawLedgerIds.add(ledgerId);
        drawLotIds.add(lot.id);
        drawAmounts.add(amount);
    }

    boolean hasDraws() {
        return !drawLotIds.isEmpty();
    }

    long[] drawLedgerIds() {
        return drawLedgerIds.stream().mapToLong(Long::longValue).toArray();
    }

    long[] drawLotIds() {
        return drawLotIds.stream().mapToLong(Long::longValue).toArray();
    }

    long[] drawAmounts() {
        return drawAmounts.stream().mapToLong(Long::longValue).toArray();
    }

    void flushed() {
        drawLedgerIds.clear();
        drawLotIds.clear();
        drawAmounts.clear();
    }

    private List<Lot> lots(UUID user) {
        return byUser.getOrDefault(user, List.of());
    }
}
