package dev.genledger.credit;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

/**
 * Credits held for a job, settled exactly once. Runs on the caller's connection, inside the
 * caller's transaction (the one that creates or moves the job), so the job and its money can
 * never disagree. Each step is one conditional statement; a hold is settled only while it is
 * OPEN, and a capture's ledger row has a unique idempotency key per job as a last line of defence.
 *
 * <ul>
 * <li>hold: {@code users.held += cost} if {@code balance - held >= cost}; one OPEN credit_holds row.
 * No ledger row: the balance does not move (and the ledger refuses amounts of 0).</li>
 * <li>capture: {@code balance -= cost, held -= cost}; one CAPTURE ledger row with a negative amount.</li>
 * <li>release: {@code held -= cost}; no ledger row.</li>
 * </ul>
 */
@ApplicationScoped
public class Holds {

    /** How a hold ended: HELD, or refused because the user is absent or cannot cover it. */
    public record HoldResult(CreditResult.Status status, long available) {
        public boolean held() {
            return status == CreditResult.Status.APPLIED;
        }
    }

    public HoldResult hold(Connection c, UUID userId, UUID jobId, long amount, String actor) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                UPDATE users SET held = held + ?, updated_at = now()
                WHERE id = ? AND deleted_at IS NULL AND balance - held >= ?
                RETURNING balance - held
                """)) {
            ps.setLong(1, amount);
            ps.setObject(2, userId);
            ps.setLong(3, amount);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return refusal(c, userId);
                }
            }
        }
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO credit_holds (user_id, job_id, amount, actor) VALUES (?, ?, ?, ?)")) {
            ps.setObject(1, userId);
            ps.setObject(2, jobId);
            ps.setLong(3, amount);
            ps.setString(4, actor);
            ps.executeUpdate();
        }
        return new HoldResult(CreditResult.Status.APPLIED, 0);
    }

    /** Spends the job's open hold; false when it has no open hold (already settled). */
    public boolean capture(Connection c, UUID jobId, String reason, String actor) throws SQLException {
        OpenHold hold = lockOpen(c, jobId);
        if (hold == null) {
            return false;
        }
        long balanceAfter;
        try (PreparedStatement ps = c.prepareStatement(
                "UPDATE users SET balance = balance - ?, held = held - ?, updated_at = now() WHERE id = ? RETURNING balance")) {
            ps.setLong(1, hold.amount);
            ps.setLong(2, hold.amount);
            ps.setObject(3, hold.userId);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                balanceAfter = rs.getLong(1);
            }
        }
        long ledgerId;
        try (PreparedStatement ps = c.prepareStatement("""
                INSERT INTO credit_ledger (user_id, amount, balance_after, kind, reason, reference, idempotency_key,
                                           request_hash, actor)
                VALUES (?, ?, ?, 'CAPTURE', ?, ?, ?, ?, ?)
                RETURNING id
                """)) {
            String key = "job-capture:" + jobId;
            ps.setObject(1, hold.userId);
            ps.setLong(2, -hold.amount);
            ps.setLong(3, balanceAfter);
            ps.setString(4, reason);
            ps.setString(5, "job:" + jobId);
            ps.setString(6, key);
            ps.setString(7, CreditCommand.hash(key));
            ps.setString(8, actor);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                ledgerId = rs.getLong(1);
            }
        }
        settle(c, hold.id, "CAPTURED", ledgerId);
        return true;
    }

    /** Gives the job's open hold back; false when it has no open hold (already settled). */
    public boolean release(Connection c, UUID jobId) throws SQLException {
        OpenHold hold = lockOpen(c, jobId);
        if (hold == null) {
            return false;
        }
        try (PreparedStatement ps = c.prepareStatement(
                "UPDATE users SET held = held - ?, updated_at = now() WHERE id = ?")) {
            ps.setLong(1, hold.amount);
            ps.setObject(2, hold.userId);
            ps.executeUpdate();
        }
        settle(c, hold.id, "RELEASED", null);
        return true;
    }

    private record OpenHold(long id, UUID userId, long amount) {
    }

    private static OpenHold lockOpen(Connection c, UUID jobId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT id, user_id, amount FROM credit_holds WHERE job_id = ? AND status = 'OPEN' FOR UPDATE")) {
            ps.setObject(1, jobId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? new OpenHold(rs.getLong(1), rs.getObject(2, UUID.class), rs.getLong(3)) : null;
            }
        }
    }

    private static void settle(Connection c, long holdId, String status, Long ledgerId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "UPDATE credit_holds SET status = ?, settled_at = now(), ledger_id = ? WHERE id = ? AND status = 'OPEN'")) {
            ps.setString(1, status);
            ps.setObject(2, ledgerId);
            ps.setLong(3, holdId);
            if (ps.executeUpdate() != 1) {
                throw new IllegalStateException("hold " + holdId + " was settled under its lock");
            }
        }
    }

    private static HoldResult refusal(Connection c, UUID userId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT balance - held FROM users WHERE id = ? AND deleted_at IS NULL")) {
            ps.setObject(1, userId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? new HoldResult(CreditResult.Status.INSUFFICIENT, rs.getLong(1))
                        : new HoldResult(CreditResult.Status.USER_NOT_FOUND, 0);
            }
        }
    }
}
