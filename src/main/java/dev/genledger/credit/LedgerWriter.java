package dev.genledger.credit;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Collectors;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;

import dev.genledger.db.Sql;

/**
 * Writes balance changes: for each one, a single conditional UPDATE of the balance (never a
 * read-modify-write in Java) and its ledger row. Runs inside the transaction of
 * {@link BalanceSerializer}, which holds the users' balance locks.
 */
@ApplicationScoped
@Transactional(Transactional.TxType.MANDATORY)
public class LedgerWriter {

    /** How a transfer ended; {@code transfer} is set when it was applied or replayed. */
    public record TransferResult(CreditResult.Status status, CreditViews.Transfer transfer, UUID missingUser,
            long available) {
    }

    // The key check, the conditional update and the ledger insert in one round trip. When it
    // returns no row, diagnose() tells why (rare: absent user, replay, insufficient credits).
    private static final String APPLY = """
            WITH prior AS (SELECT 1 FROM credit_ledger WHERE user_id = ? AND idempotency_key = ?),
            changed AS (
                UPDATE live_users SET balance = balance + ?, updated_at = now()
                WHERE id = ? AND balance + ? >= held AND NOT EXISTS (SELECT 1 FROM prior)
                RETURNING balance)
            INSERT INTO credit_ledger (user_id, amount, balance_after, kind, reason, reference, idempotency_key,
                                       request_hash, actor)
            SELECT ?, ?, balance, ?, ?, ?, ?, ?, ? FROM changed
            RETURNING id, balance_after, created_at
            """;

    private static final String ENTRY_COLUMNS =
            "id, user_id, kind, amount, balance_after, reason, reference, transfer_id, created_at, request_hash";

    // What a live user can spend, for the answers of refused changes; the users' balance locks are held.
    private static final String AVAILABLE = "SELECT balance - held FROM live_users WHERE id = ?";

    @Inject
    Sql sql;

    @Inject
    Lots lots;

    /**
     * Applies the commands in order; each gets its own result. The users' lots are read once, the
     * draws of every command worked out on them, and written together at the end.
     */
    public List<CreditResult> applyAll(List<CreditCommand> commands) {
        LotBook book = lots.open(commands.stream().map(CreditCommand::userId).toList());
        List<CreditResult> results = new ArrayList<>(commands.size());
        for (CreditCommand command : commands) {
            results.add(apply(command, book));
        }
        lots.flush(book);
        return results;
    }

    private CreditResult apply(CreditCommand cmd, LotBook book) {
        if (cmd.kind() == LedgerKind.GRANT && cmd.lot().expiresAt() != null
                && !cmd.lot().expiresAt().toInstant().isAfter(Instant.now())) {
            return earlier(cmd, book.available(cmd.userId()))
                    .orElseGet(() -> CreditResult.of(CreditResult.Status.EXPIRY_PASSED, book.available(cmd.userId())));
        }
        Optional<List<LotBook.Draw>> plan = Optional.empty();
        if (cmd.delta() < 0) {
            plan = book.plan(cmd.userId(), cmd.amount());
            if (plan.isEmpty()) {
                return diagnose(cmd, book.available(cmd.userId()));
            }
        }
        Optional<CreditViews.Entry> applied = sql.first(APPLY,
                rs -> new CreditViews.Entry(rs.getLong(1), cmd.userId(), cmd.kind().name(), cmd.delta(), rs.getLong(2),
                        cmd.reason(), cmd.reference(), null, rs.getObject(3, OffsetDateTime.class)),
                cmd.userId(), cmd.idempotencyKey(), cmd.delta(), cmd.userId(), cmd.delta(), cmd.userId(), cmd.delta(),
                cmd.kind().name(), cmd.reason(), cmd.reference(), cmd.idempotencyKey(), cmd.requestHash(), cmd.actor());
        if (applied.isEmpty()) {
            return diagnose(cmd, book.available(cmd.userId()));
        }
        CreditViews.Entry entry = applied.get();
        CreditViews.Lot created = null;
        switch (cmd.kind()) {
            case GRANT -> {
                lots.create(book, cmd.userId(), entry.id(), cmd.amount(), cmd.lot());
                created = lots.createdBy(entry.id()).orElseThrow();
            }
            case REFUND -> lots.refund(book, cmd.userId(), entry.id(), cmd.amount());
            default -> book.take(entry.id(), plan.orElseThrow());
        }
        return CreditResult.applied(entry, created);
    }

    private CreditResult diagnose(CreditCommand cmd, long available) {
        if (this.available(cmd.userId()).isEmpty()) {
            return CreditResult.of(CreditResult.Status.USER_NOT_FOUND, 0);
        }
        return earlier(cmd, available).orElseGet(() -> CreditResult.of(CreditResult.Status.INSUFFICIENT, available));
    }

    /** The answer to a request whose key was used before: its replay, or the key's reuse for another request. */
    private Optional<CreditResult> earlier(CreditCommand cmd, long available) {
        return sql.first("SELECT " + ENTRY_COLUMNS + " FROM credit_ledger WHERE user_id = ? AND idempotency_key = ?",
                rs -> cmd.requestHash().equals(rs.getString(10))
                        ? replayed(entry(rs))
                        : CreditResult.of(CreditResult.Status.KEY_REUSED, available),
                cmd.userId(), cmd.idempotencyKey());
    }

    // A replay answers as the first answer did: a grant with the lot it created as it was then (not
    // as spends or expiry left it since), anything else (a refund that became a lot of its own too)
    // with its ledger row only.
    private CreditResult replayed(CreditViews.Entry entry) {
        CreditViews.Lot created = LedgerKind.GRANT.name().equals(entry.kind())
                ? lots.createdBy(entry.id()).map(CreditViews.Lot::asCreated).orElse(null)
                : null;
        return CreditResult.replayed(entry, created);
    }

    /** Moves credits between two users; their rows are taken in id order, so opposite transfers cannot deadlock. */
    public TransferResult transfer(UUID from, UUID to, long amount, String reason, String key, String actor) {
        String hash = CreditCommand.hash("TRANSFER", to.toString(), Long.toString(amount), reason);
        Optional<TransferResult> prior = priorTransfer(from, key, hash);
        if (prior.isPresent()) {
            return prior.get();
        }
        Map<UUID, Long> balances = sql.list(
                "SELECT id, balance - held FROM live_users WHERE id IN (?, ?) ORDER BY id FOR UPDATE",
                rs -> Map.entry(rs.getObject(1, UUID.class), rs.getLong(2)), from, to)
                .stream().collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
        for (UUID user : List.of(from, to)) {
            if (!balances.containsKey(user)) {
                return new TransferResult(CreditResult.Status.USER_NOT_FOUND, null, user, 0);
            }
        }
        LotBook book = lots.open(List.of(from));
        Optional<List<LotBook.Draw>> plan = book.plan(from, amount);
        if (plan.isEmpty()) {
            return new TransferResult(CreditResult.Status.INSUFFICIENT, null, null, book.available(from));
        }
        long fromAfter = changeBalance(from, -amount);
        long toAfter = changeBalance(to, amount);
        UUID transferId = UUID.randomUUID();
        record Leg(long id, String kind, OffsetDateTime at) {
        }
        List<Leg> legs = sql.list("""
                INSERT INTO credit_ledger (user_id, amount, balance_after, kind, reason, idempotency_key,
                                           request_hash, transfer_id, actor)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?), (?, ?, ?, ?, ?, NULL, NULL, ?, ?)
                RETURNING id, kind, created_at
                """, rs -> new Leg(rs.getLong(1), rs.getString(2), rs.getObject(3, OffsetDateTime.class)),
                from, -amount, fromAfter, LedgerKind.TRANSFER_OUT.name(), reason, key, hash, transferId, actor,
                to, amount, toAfter, LedgerKind.TRANSFER_IN.name(), reason, transferId, actor);
        Map<String, Leg> byKind = legs.stream().collect(Collectors.toMap(Leg::kind, leg -> leg));
        LotTerms received = Lots.transferred(book, plan.get());
        book.take(byKind.get(LedgerKind.TRANSFER_OUT.name()).id(), plan.get());
        lots.create(book, to, byKind.get(LedgerKind.TRANSFER_IN.name()).id(), amount, received);
        lots.flush(book);
        OffsetDateTime at = legs.get(0).at();
        return new TransferResult(CreditResult.Status.APPLIED,
                new CreditViews.Transfer(transferId, from, to, amount, fromAfter, toAfter, reason, at), null,
                fromAfter);
    }

    private record Prior(UUID transferId, String requestHash) {
    }

    private Optional<TransferResult> priorTransfer(UUID from, String key, String hash) {
        return sql.first("SELECT transfer_id, request_hash FROM credit_ledger WHERE user_id = ? AND idempotency_key = ?",
                rs -> new Prior(rs.getObject(1, UUID.class), rs.getString(2)), from, key)
                .map(prior -> {
                    if (!hash.equals(prior.requestHash())) {
                        return new TransferResult(CreditResult.Status.KEY_REUSED, null, null, 0);
                    }
                    CreditViews.Transfer transfer = loadTransfer(prior.transferId());
                    // Like a spend's replay, a transfer's is answered only while its users are live:
                    // the first answer would show a deleted user's id and balance.
                    for (UUID user : List.of(transfer.fromUserId(), transfer.toUserId())) {
                        if (available(user).isEmpty()) {
                            return new TransferResult(CreditResult.Status.USER_NOT_FOUND, null, user, 0);
                        }
                    }
                    return new TransferResult(CreditResult.Status.REPLAYED, transfer, null, 0);
                });
    }

    private CreditViews.Transfer loadTransfer(UUID transferId) {
        List<CreditViews.Entry> legs = sql.list(
                "SELECT " + ENTRY_COLUMNS + " FROM credit_ledger WHERE transfer_id = ? ORDER BY amount",
                LedgerWriter::entry, transferId);
        CreditViews.Entry out = legs.get(0);
        CreditViews.Entry in = legs.get(1);
        return new CreditViews.Transfer(transferId, out.userId(), in.userId(), in.amount(), out.balanceAfter(),
                in.balanceAfter(), out.reason(), out.createdAt());
    }

    private long changeBalance(UUID user, long delta) {
        return sql.first(
                "UPDATE users SET balance = balance + ?, updated_at = now() WHERE id = ? AND balance + ? >= held RETURNING balance",
                rs -> rs.getLong(1), delta, user, delta)
                .orElseThrow(() -> new IllegalStateException("balance of a locked user changed under its lock: " + user));
    }

    /** What a live user can spend ({@code balance - held}); empty when there is no such user. */
    private Optional<Long> available(UUID user) {
        return sql.first(AVAILABLE, rs -> rs.getLong(1), user);
    }

    private static CreditViews.Entry entry(ResultSet rs) throws SQLException {
        return new CreditViews.Entry(rs.getLong(1), rs.getObject(2, UUID.class), rs.getString(3), rs.getLong(4),
                rs.getLong(5), rs.getString(6), rs.getString(7), rs.getObject(8, UUID.class),
                rs.getObject(9, OffsetDateTime.class));
    }
}
