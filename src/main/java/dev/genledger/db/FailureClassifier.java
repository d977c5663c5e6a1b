package dev.genledger.db;

import java.sql.SQLException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;

import jakarta.transaction.RollbackException;

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
        /** A statement ran past statement_timeout (57014): the database is slow or a lock is held. */
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
        for (Throwable t : chain(failure)) {
            if (t instanceof SQLException sql) {
                Kind kind = kindOf(sql.getSQLState());
                if (kind != Kind.PERMANENT) {
                    return new Classification(kind, sql.getSQLState());
                }
                if (sql.getSQLState() == null && isPoolAcquisitionTimeout(sql)) {
                    return new Classification(Kind.POOL_EXHAUSTED, null);
                }
                if (isStatementClosedUnderIt(sql) || isEnlistmentOfDeadConnection(sql) || isConnectionClosedUnderIt(sql)
                        || isTransactionRolledBackUnderIt(sql)) {
                    return new Classification(Kind.UNAVAILABLE, sql.getSQLState());
                }
            }
            if (isRolledBackByTheReaper(t)) {
                return new Classification(Kind.UNAVAILABLE, null);
            }
        }
        Optional<String> permanentState = firstSqlState(failure);
        if (permanentState.isEmpty() && chain(failure).stream().anyMatch(t -> t instanceof RollbackException)) {
            // The transaction manager rolled the transaction back without a database error: its
            // timeout fired (e.g. while packets to the database were lost). Nothing was committed.
            return new Classification(Kind.UNAVAILABLE, null);
        }
        return new Classification(Kind.PERMANENT, permanentState.orElse(null));
    }

    /**
     * The failure, its causes and their suppressed exceptions, outermost first. A connection lost
     * at COMMIT reaches us as the transaction manager's RollbackException with the driver's
     * exception (SQLState 57P01, 08006) only among its suppressed exceptions.
     */
    static List<Throwable> chain(Throwable failure) {
        List<Throwable> seen = new ArrayList<>();
        Deque<Throwable> todo = new ArrayDeque<>();
        if (failure != null) {
            todo.add(failure);
        }
        while (!todo.isEmpty() && seen.size() < 64) {
            Throwable t = todo.poll();
            if (seen.stream().anyMatch(s -> s == t)) {
                continue;
            }
            seen.add(t);
            if (t.getCause() != null) {
                todo.add(t.getCause());
            }
            todo.addAll(List.of(t.getSuppressed()));
        }
        return seen;
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
        for (Throwable t : chain(failure)) {
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

    // The transaction timeout rolled the transaction back from the reaper's thread, which closes its
    // connection, while the request's thread was between two statements: the driver then refuses
    // the next one with 55000. Nothing was committed; it is the connection gone, not a bug.
    private static boolean isStatementClosedUnderIt(SQLException e) {
        return "55000".equals(e.getSQLState()) && "This statement has been closed.".equals(e.getMessage());
    }

    // The pool handed out a connection whose backend had just been terminated: starting the local
    // transaction on it failed, so Agroal could not enlist it. No statement ran on it.
    private static boolean isEnlistmentOfDeadConnection(SQLException e) {
        return e.getSQLState() == null
                && "Exception in association of connection to existing transaction".equals(e.getMessage());
    }

    // The reaper rolled the transaction back and Agroal closed its connection while the request's
    // thread was between two statements: the next one cannot even be prepared. Nothing was committed.
    private static boolean isConnectionClosedUnderIt(SQLException e) {
        return e.getSQLState() == null && "Connection is closed".equals(e.getMessage());
    }

    // The reaper rolled the transaction back while the request's thread was between two statements,
    // and the next one asked the pool for the transaction's connection. Nothing was committed.
    private static boolean isTransactionRolledBackUnderIt(SQLException e) {
        return e.getSQLState() == null && "Failing fast as the transaction has rolled back".equals(e.getMessage());
    }

    // Hibernate, handling a failed read, finds that the reaper rolled the transaction back from its
    // own thread, and throws this instead of the driver's error, which is lost with its SQLState.
    private static boolean isRolledBackByTheReaper(Throwable t) {
        return t instanceof org.hibernate.HibernateException
                && "Transaction was rolled back in a different thread".equals(t.getMessage());
    }

    // Agroal reports an exhausted pool as a plain SQLException without SQLState.
    private static boolean isPoolAcquisitionTimeout(SQLException e) {
        return e.getMessage() != null && e.getMessage().contains("acquisition timeout");
    }
}
