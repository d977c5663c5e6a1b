package dev.genledger.db;

/**
 * The database or the path to it is in trouble (lost connection, shutdown, too many
 * connections). Unlike contention, this counts towards opening the circuit breaker.
 */
public class DatabaseUnavailableException extends TransientDatabaseException {

    public DatabaseUnavailableException(FailureClassifier.Classification classification, Throwable cause) {
        super(classification, cause);
    }
}
