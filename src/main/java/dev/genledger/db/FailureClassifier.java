package dev.genledger.db;

import java.sql.SQLException;
import java.util.Optional;

/**
 * The one place that decides whether a database failure is worth retrying, by the SQLState found
 * anywhere in the cause chain. Everything not listed here (constraint violations, bad data, bugs)
 * is permanent and must never be retried.
 */
public final class FailureClassifier {

    /** What kind of trouble a failure is. */
    public enum Kind {
        /** Another transaction got in the way: serialization failure, deadlock, lock not available. */
        CONTENTION,
        /** The database or the connection to it is (temporarily) gone or full. */
        UNAVAILABLE,
        /** No connection could be taken from the pool within its acquisition timeout. */
        POOL_EXHAUSTED,
        /** A statement or transaction ran past its timeout: the database is slow or a lock is held. */
        TIMED_OUT,
        /** Anything else: not retried. */
        PERMANENT
    }

    /** A classified failure: its kind and the SQLState that decided it (may be null). */
    public record Classification(Kind kind, String sqlState) {
        public boolean transientFailure() {
            return kind != Kind.PERMANENT;
        }
    }

    private FailureClassifier() {
    }

    public static Classification classify(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof SQLException sql) {
                Kind kind = kindOf(sql.getSQLState());
                if (kind != Kind.PERMANENT) {
                    return new Classification(kind, sql.getSQLState());
                }
                if (sql.getSQLState() == null && isPoolAcquisitionTimeout(sql)) {
                    return new Classification(Kind.POOL_EXHAUSTED, null);
                }
            }
        }
        Optional<String> sqlState = firstSqlState(failure);
        if (sqlState.isEmpty() && rolledBackByTheTransactionManager(failure)) {
            return new Classification(Kind.TIMED_OUT, null);
        }
        return new Classification(Kind.PERMANENT, sqlState.orElse(null));
    }

    // With no SQL failure behind it, a transaction the manager refused to commit was aborted by its
    // timeout (the application never marks transactions rollback-only).
    private static boolean rolledBackByTheTransactionManager(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof jakarta.transaction.RollbackException) {
                return true;
            }
        }
        return false;
    }

    static Kind kindOf(String sqlState) {
        if (sqlState == null) {
            return Kind.PERMANENT;
        }
        if (sqlState.startsWith("08")) {
            return Kind.UNAVAILABLE;
        }
        return switch (sqlState) {
            case "40001", "40P01", "55P03" -> Kind.CONTENTION;
            case "57P01", "57P02", "57P03", "53300" -> Kind.UNAVAILABLE;
            case "57014" -> Kind.TIMED_OUT;
            default -> Kind.PERMANENT;
        };
    }

    /** The SQLState nearest the top of the cause chain, for logs and problem mapping. */
    public static Optional<String> firstSqlState(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof SQLException sql && sql.getSQLState() != null) {
                return Optional.of(sql.getSQLState());
            }
        }
        return Optional.empty();
    }

    /** The name of the violated constraint, when PostgreSQL reported one. */
    public static Optional<String> violatedConstraint(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof org.postgresql.util.PSQLException psql && psql.getServerErrorMessage() != null
                    && psql.getServerErrorMessage().getConstraint() != null) {
                return Optional.of(psql.getServerErrorMessage().getConstraint());
            }
        }
        return Optional.empty();
    }

    // Agroal reports an exhausted pool as a plain SQLException without SQLState.
    private static boolean isPoolAcquisitionTimeout(SQLException e) {
        return e.getMessage() != null && e.getMessage().contains("acquisition timeout");
    }
}
