package dev.genledger.db;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.sql.SQLException;

import jakarta.transaction.RollbackException;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import dev.genledger.db.FailureClassifier.Kind;

/** The retry decision alone, without Quarkus or a database. */
class FailureClassifierTests {

    @ParameterizedTest
    @CsvSource({
            "40001, CONTENTION", "40P01, CONTENTION", "55P03, CONTENTION",
            "08006, UNAVAILABLE", "08001, UNAVAILABLE", "57P01, UNAVAILABLE", "57P02, UNAVAILABLE",
            "57P03, UNAVAILABLE", "53300, UNAVAILABLE",
            "57014, TIMED_OUT",
            "23505, PERMANENT", "23514, PERMANENT", "22P02, PERMANENT", "42P01, PERMANENT", "XX000, PERMANENT" })
    void eachSqlStateHasOneKind(String sqlState, Kind kind) {
        assertEquals(kind, FailureClassifier.classify(new SQLException("x", sqlState)).kind());
    }

    @Test
    void theSqlStateIsFoundDeepInTheCauseChain() {
        Throwable wrapped = new IllegalStateException(new RuntimeException(new SQLException("lost", "08006")));
        assertEquals(new FailureClassifier.Classification(Kind.UNAVAILABLE, "08006"), FailureClassifier.classify(wrapped));
    }

    @Test
    void aConnectionLostAtCommitIsFoundAmongSuppressedExceptions() {
        RollbackException rollback = new RollbackException("commit failed");
        rollback.addSuppressed(new SQLException("terminated", "57P01"));
        assertEquals(Kind.UNAVAILABLE, FailureClassifier.classify(rollback).kind());
    }

    @Test
    void aTransientCauseWinsOverAPermanentOuterOne() {
        SQLException outer = new SQLException("batch failed", "XX000", new SQLException("serialize", "40001"));
        assertEquals(new FailureClassifier.Classification(Kind.CONTENTION, "40001"), FailureClassifier.classify(outer));
    }

    @Test
    void aRollbackWithoutDatabaseErrorIsATimedOutTransactionAndTransient() {
        assertEquals(Kind.UNAVAILABLE, FailureClassifier.classify(new RollbackException("timeout")).kind());
    }

    @Test
    void aConstraintViolationUnderARollbackStaysPermanent() {
        RollbackException rollback = new RollbackException("commit failed");
        rollback.addSuppressed(new SQLException("duplicate", "23505"));
        assertEquals(new FailureClassifier.Classification(Kind.PERMANENT, "23505"), FailureClassifier.classify(rollback));
    }

    @Test
    void aStatementClosedByTheTransactionTimeoutIsTheConnectionGoneButAnotherObjectStateIsPermanent() {
        assertEquals(Kind.UNAVAILABLE, FailureClassifier.classify(
                new RuntimeException(new SQLException("This statement has been closed.", "55000"))).kind());
        assertEquals(Kind.PERMANENT, FailureClassifier.classify(
                new SQLException("cannot refresh materialized view concurrently", "55000")).kind());
    }

    @Test
    void aConnectionAskedForInATransactionTheTimeoutRolledBackIsTheConnectionGone() {
        // what Agroal throws (seen in the chaos suite's frozen-database fault, as a 500 before)
        SQLException rolledBack = new SQLException("Failing fast as the transaction has rolled back");
        assertEquals(Kind.UNAVAILABLE, FailureClassifier.classify(new RuntimeException(rolledBack)).kind());
        assertEquals(Kind.PERMANENT, FailureClassifier.classify(new SQLException("Failing fast for another reason")).kind());
    }

    @Test
    void aConnectionThePoolCouldNotEnlistBecauseItsBackendDiedIsTheConnectionGone() {
        SQLException enlist = new SQLException("Exception in association of connection to existing transaction",
                new SQLException("Failed to enlist. Check if a connection from another datasource is already enlisted"));
        assertEquals(Kind.UNAVAILABLE, FailureClassifier.classify(new RuntimeException(enlist)).kind());
        assertEquals(Kind.PERMANENT, FailureClassifier.classify(new SQLException("Exception in something else")).kind());
    }

    @Test
    void whatTheReaperLeavesBehindWhenItRollsBackUnderARequestIsTheConnectionGone() {
        // The pool's connection closed by the reaper's rollback, met by the next statement.
        assertEquals(Kind.UNAVAILABLE, FailureClassifier.classify(new org.hibernate.exception.GenericJDBCException(
                "Could not prepare statement", new SQLException("Connection is closed"))).kind());
        // Hibernate's own report of that rollback, in place of the driver's error.
        assertEquals(Kind.UNAVAILABLE, FailureClassifier.classify(
                new org.hibernate.HibernateException("Transaction was rolled back in a different thread")).kind());
        assertEquals(Kind.PERMANENT, FailureClassifier.classify(
                new org.hibernate.HibernateException("Unable to locate persister")).kind());
    }

    @Test
    void anExhaustedPoolIsRecognisedWithoutSqlState() {
        assertEquals(Kind.POOL_EXHAUSTED,
                FailureClassifier.classify(new SQLException("Sorry, acquisition timeout!")).kind());
    }

    @Test
    void bugsAreNeverRetried() {
        assertEquals(Kind.PERMANENT, FailureClassifier.classify(new NullPointerException()).kind());
        assertEquals(Kind.PERMANENT, FailureClassifier.classify(null).kind());
    }

    @Test
    void aCauseCycleEnds() {
        SQLException a = new SQLException("a", "XX000");
        SQLException b = new SQLException("b", "XX000", a);
        a.initCause(b);
        assertEquals(Kind.PERMANENT, FailureClassifier.classify(a).kind());
    }
}
