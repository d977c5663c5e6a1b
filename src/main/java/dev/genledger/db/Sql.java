package dev.genledger.db;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import javax.sql.DataSource;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * Hand-written SQL, for the statements a measurement keeps out of Hibernate (the credit hot path's
 * conditional update and ledger insert, upserts, row locks). Runs on the connection the pool
 * enlisted in the current transaction, so it shares the transaction's snapshot. Parameters bind in
 * order with {@code setObject}; a failure leaves as an unchecked {@link SqlFailure} with the
 * SQLException as its cause, where the failure classifier finds its SQLState.
 */
@ApplicationScoped
public class Sql {

    /** Reads one row of a result. */
    @FunctionalInterface
    public interface Row<T> {
        T read(ResultSet rs) throws SQLException;
    }

    /** Statements on one connection, of {@link #onPool} or {@link #inOwnTransaction}. */
    @FunctionalInterface
    public interface Work<T> {
        T run(Connected sql);
    }

    /** A statement that failed; unchecked, so the transaction rolls back. */
    public static final class SqlFailure extends RuntimeException {
        SqlFailure(SQLException cause) {
            super("statement failed: SQLState " + cause.getSQLState(), cause);
        }

        public String sqlState() {
            return ((SQLException) getCause()).getSQLState();
        }
    }

    @Inject
    DataSource dataSource;

    /** Every row the query returns, in order. */
    public <T> List<T> list(String sql, Row<T> row, Object... params) {
        try (Connection c = dataSource.getConnection()) {
            return on(c).list(sql, row, params);
        } catch (SQLException e) {
            throw new SqlFailure(e);
        }
    }

    /** The query's first row, if it returns one. */
    public <T> Optional<T> first(String sql, Row<T> row, Object... params) {
        try (Connection c = dataSource.getConnection()) {
            return on(c).first(sql, row, params);
        } catch (SQLException e) {
            throw new SqlFailure(e);
        }
    }

    /** Runs an INSERT, UPDATE or DELETE; returns the rows it changed. */
    public int update(String sql, Object... params) {
        try (Connection c = dataSource.getConnection()) {
            return on(c).update(sql, params);
        } catch (SQLException e) {
            throw new SqlFailure(e);
        }
    }

    /** Runs a statement that takes no parameters and returns nothing worth reading (a LOCK, a SET). */
    public void execute(String sql) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.execute();
        } catch (SQLException e) {
            throw new SqlFailure(e);
        }
    }

    /** The same statements on a connection the caller holds itself. */
    public static Connected on(Connection c) {
        return new Connected(c);
    }

    /** Runs the work on a connection of {@code pool} in autocommit: each statement its own transaction. */
    public static <T> T onPool(DataSource pool, Work<T> work) {
        try (Connection c = pool.getConnection()) {
            return work.run(on(c));
        } catch (SQLException e) {
            throw new SqlFailure(e);
        }
    }

    /**
     * Runs the work in a REPEATABLE READ transaction of its own on a connection of {@code pool},
     * outside the container's transactions: for a worker that owns its pool, as every replica's
     * webhook worker does. Commits when the work returns, rolls back when it throws.
     */
    public static <T> T inOwnTransaction(DataSource pool, Work<T> work) {
        try (Connection c = pool.getConnection()) {
            c.setAutoCommit(false);
            c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            try {
                T result = work.run(on(c));
                c.commit();
                return result;
            } catch (RuntimeException | SQLException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
        } catch (SQLException e) {
            throw new SqlFailure(e);
        }
    }

    /** {@link Sql}'s statements on one connection. */
    public static final class Connected {

        private final Connection c;

        private Connected(Connection c) {
            this.c = c;
        }

        public <T> List<T> list(String sql, Row<T> row, Object... params) {
            try (PreparedStatement ps = prepare(c, sql, params); ResultSet rs = ps.executeQuery()) {
                List<T> rows = new ArrayList<>();
                while (rs.next()) {
                    rows.add(row.read(rs));
                }
                return rows;
            } catch (SQLException e) {
                throw new SqlFailure(e);
            }
        }

        public <T> Optional<T> first(String sql, Row<T> row, Object... params) {
            try (PreparedStatement ps = prepare(c, sql, params); ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(row.read(rs)) : Optional.empty();
            } catch (SQLException e) {
                throw new SqlFailure(e);
            }
        }

        public int update(String sql, Object... params) {
            try (PreparedStatement ps = prepare(c, sql, params)) {
                return ps.executeUpdate();
            } catch (SQLException e) {
                throw new SqlFailure(e);
            }
        }

        /** A statement without parameters or rows, e.g. VACUUM. */
        public void execute(String sql) {
            execute(sql, 0);
        }

        /**
         * The same, cancelled (SQLState 57014) after {@code timeout}, in whole seconds and at least
         * one (JDBC's unit), whatever the connection's statement_timeout.
         */
        public void execute(String sql, Duration timeout) {
            execute(sql, (int) Math.max(1, timeout.toSeconds()));
        }

        private void execute(String sql, int timeoutSeconds) {
            try (Statement s = c.createStatement()) {
                s.setQueryTimeout(timeoutSeconds);
                s.execute(sql);
            } catch (SQLException e) {
                throw new SqlFailure(e);
            }
        }
    }

    private static PreparedStatement prepare(Connection c, String sql, Object... params) throws SQLException {
        PreparedStatement ps = c.prepareStatement(sql);
        try {
            for (int i = 0; i < params.length; i++) {
                ps.setObject(i + 1, params[i]);
            }
            return ps;
        } catch (SQLException e) {
            ps.close();
            throw e;
        }
    }
}
