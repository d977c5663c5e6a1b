package dev.genledger.credit;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import javax.sql.DataSource;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;

import dev.genledger.db.TranslateFailures;

/**
 * Writes balance changes: for each one, a single conditional UPDATE of the balance (never a
 * read-modify-write in Java) and its ledger row, inside one REPEATABLE READ transaction.
 */
@ApplicationScoped
@TranslateFailures
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
                UPDATE users SET balance = balance + ?, updated_at = now()
                WHERE id = ? AND deleted_at IS NULL AND balance + ? >= held AND NOT EXISTS (SELECT 1 FROM prior)
                RETURNING balance)
            INSERT INTO credit_ledger (user_id, amount, balance_after, kind, reason, reference, idempotency_key,
                                       request_hash, actor)
            SELECT ?, ?, balance, ?, ?, ?, ?, ?, ? FROM changed
            RETURNING id, balance_after, created_at
            """;

    private static final String ENTRY_COLUMNS =
            "id, user_id, kind, amount, balance_after, reason, reference, transfer_id, created_at, request_hash";

    @Inject
    DataSource dataSource;

    /**
     * Applies the commands in order, in one transaction; each gets its own result. With
     * {@code lockBalances}, the users' balance locks are taken first ({@link BalanceLocks}); they only
     * spare serialization failures, correctness rests on the conditional updates either way.
     */
    @Transactional
    public List<CreditResult> applyAll(List<CreditCommand> commands, boolean lockBalances) {
        List<CreditResult> results = new ArrayList<>(commands.size());
        try (Connection c = dataSource.getConnection(); PreparedStatement apply = c.prepareStatement(APPLY)) {
            if (lockBalances) {
                BalanceLocks.lock(c, commands.stream().map(CreditCommand::userId).toList());
            }
            for (CreditCommand command : commands) {
                results.add(apply(c, apply, command));
            }
        } catch (SQLException e) {
            throw failed(e);
        }
        return results;
    }

    private CreditResult apply(Connection c, PreparedStatement apply, CreditCommand cmd) throws SQLException {
        int i = 1;
        apply.setObject(i++, cmd.userId());
        apply.setString(i++, cmd.idempotencyKey());
        apply.setLong(i++, cmd.delta());
        apply.setObject(i++, cmd.userId());
        apply.setLong(i++, cmd.delta());
        apply.setObject(i++, cmd.userId());
        apply.setLong(i++, cmd.delta());
        apply.setString(i++, cmd.kind().name());
        apply.setString(i++, cmd.reason());
        apply.setString(i++, cmd.reference());
        apply.setString(i++, cmd.idempotencyKey());
        apply.setString(i++, cmd.requestHash());
        apply.setString(i, cmd.actor());
        try (ResultSet rs = apply.executeQuery()) {
            if (rs.next()) {
                return CreditResult.applied(new CreditViews.Entry(rs.getLong(1), cmd.userId(), cmd.kind().name(),
                        cmd.delta(), rs.getLong(2), cmd.reason(), cmd.reference(), null,
                        rs.getObject(3, OffsetDateTime.class)));
            }
        }
        return diagnose(c, cmd);
    }

    private CreditResult diagnose(Connection c, CreditCommand cmd) throws SQLException {
        Long balance = liveBalance(c, cmd.userId());
        if (balance == null) {
            return CreditResult.of(CreditResult.Status.USER_NOT_FOUND, 0);
        }
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT " + ENTRY_COLUMNS + " FROM credit_ledger WHERE user_id = ? AND idempotency_key = ?")) {
            ps.setObject(1, cmd.userId());
            ps.setString(2, cmd.idempotencyKey());
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next()) {
                    return cmd.requestHash().equals(rs.getString(10)) ? CreditResult.replayed(entry(rs))
                            : CreditResult.of(CreditResult.Status.KEY_REUSED, balance);
                }
            }
        }
        return CreditResult.of(CreditResult.Status.INSUFFICIENT, balance);
    }

    /**
     * Moves credits between two users. Both users' balance locks are taken first (in stripe order),
     * then both rows in id order, so two opposite transfers cannot deadlock.
     */
    @Transactional
    public TransferResult transfer(UUID from, UUID to, long amount, String reason, String key, String actor) {
        try (Connection c = dataSource.getConnection()) {
            BalanceLocks.lock(c, List.of(from, to));
            return transfer(c, from, to, amount, reason, key, actor);
        } catch (SQLException e) {
            throw failed(e);
        }
    }

    private TransferResult transfer(Connection c, UUID from, UUID to, long amount, String reason, String key,
            String actor) throws SQLException {
        String hash = CreditCommand.hash("TRANSFER", to.toString(), Long.toString(amount), reason);
        TransferResult prior = priorTransfer(c, from, key, hash);
        if (prior != null) {
            return prior;
        }
        Map<UUID, Long> balances = lockLive(c, from, to);
        for (UUID user : List.of(from, to)) {
            if (!balances.containsKey(user)) {
                return new TransferResult(CreditResult.Status.USER_NOT_FOUND, null, user, 0);
            }
        }
        if (balances.get(from) < amount) {
            return new TransferResult(CreditResult.Status.INSUFFICIENT, null, null, balances.get(from));
        }
        long fromAfter = changeBalance(c, from, -amount);
        long toAfter = changeBalance(c, to, amount);
        UUID transferId = UUID.randomUUID();
        OffsetDateTime at;
        try (PreparedStatement ps = c.prepareStatement("""
                INSERT INTO credit_ledger (user_id, amount, balance_after, kind, reason, idempotency_key,
                                           request_hash, transfer_id, actor)
                VALUES (?, ?, ?, 'TRANSFER_OUT', ?, ?, ?, ?, ?), (?, ?, ?, 'TRANSFER_IN', ?, NULL, NULL, ?, ?)
                RETURNING created_at
                """)) {
            int i = 1;
            ps.setObject(i++, from);
            ps.setLong(i++, -amount);
            ps.setLong(i++, fromAfter);
            ps.setString(i++, reason);
            ps.setString(i++, key);
            ps.setString(i++, hash);
            ps.setObject(i++, transferId);
            ps.setString(i++, actor);
            ps.setObject(i++, to);
            ps.setLong(i++, amount);
            ps.setLong(i++, toAfter);
            ps.setString(i++, reason);
            ps.setObject(i++, transferId);
            ps.setString(i, actor);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                at = rs.getObject(1, OffsetDateTime.class);
            }
        }
        return new TransferResult(CreditResult.Status.APPLIED,
                new CreditViews.Transfer(transferId, from, to, amount, fromAfter, toAfter, reason, at), null,
                fromAfter);
    }

    private TransferResult priorTransfer(Connection c, UUID from, String key, String hash) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT transfer_id, request_hash FROM credit_ledger WHERE user_id = ? AND idempotency_key = ?")) {
            ps.setObject(1, from);
            ps.setString(2, key);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return null;
                }
                if (!hash.equals(rs.getString(2))) {
                    return new TransferResult(CreditResult.Status.KEY_REUSED, null, null, 0);
                }
                CreditViews.Transfer transfer = loadTransfer(c, rs.getObject(1, UUID.class));
                // Like a spend's replay, a transfer's is answered only while its users are live:
                // the first answer would show a deleted user's id and balance.
                for (UUID user : List.of(transfer.fromUserId(), transfer.toUserId())) {
                    if (liveBalance(c, user) == null) {
                        return new TransferResult(CreditResult.Status.USER_NOT_FOUND, null, user, 0);
                    }
                }
                return new TransferResult(CreditResult.Status.REPLAYED, transfer, null, 0);
            }
        }
    }

    private CreditViews.Transfer loadTransfer(Connection c, UUID transferId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT " + ENTRY_COLUMNS + " FROM credit_ledger WHERE transfer_id = ? ORDER BY amount")) {
            ps.setObject(1, transferId);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                CreditViews.Entry out = entry(rs);
                rs.next();
                CreditViews.Entry in = entry(rs);
                return new CreditViews.Transfer(transferId, out.userId(), in.userId(), in.amount(), out.balanceAfter(),
                        in.balanceAfter(), out.reason(), out.createdAt());
            }
        }
    }

    private static Map<UUID, Long> lockLive(Connection c, UUID a, UUID b) throws SQLException {
        Map<UUID, Long> balances = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT id, balance - held FROM users WHERE id IN (?, ?) AND deleted_at IS NULL ORDER BY id FOR UPDATE")) {
            ps.setObject(1, a);
            ps.setObject(2, b);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    balances.put(rs.getObject(1, UUID.class), rs.getLong(2));
                }
            }
        }
        return balances;
    }

    private static long changeBalance(Connection c, UUID user, long delta) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "UPDATE users SET balance = balance + ?, updated_at = now() WHERE id = ? AND balance + ? >= held RETURNING balance")) {
            ps.setLong(1, delta);
            ps.setObject(2, user);
            ps.setLong(3, delta);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw new IllegalStateException("balance of a locked user changed under its lock: " + user);
                }
                return rs.getLong(1);
            }
        }
    }

    /** What a live user can spend ({@code balance - held}), or null when there is no such user. */
    private static Long liveBalance(Connection c, UUID user) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT balance - held FROM users WHERE id = ? AND deleted_at IS NULL")) {
            ps.setObject(1, user);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getLong(1) : null;
            }
        }
    }

    // Unchecked, so the transaction rolls back; the SQLState stays in the cause chain for the
    // failure classifier.
    private static IllegalStateException failed(SQLException e) {
        return new IllegalStateException("credit statement failed: SQLState " + e.getSQLState(), e);
    }

    private static CreditViews.Entry entry(ResultSet rs) throws SQLException {
        return new CreditViews.Entry(rs.getLong(1), rs.getObject(2, UUID.class), rs.getString(3), rs.getLong(4),
                rs.getLong(5), rs.getString(6), rs.getString(7), rs.getObject(8, UUID.class),
                rs.getObject(9, OffsetDateTime.class));
    }
}
