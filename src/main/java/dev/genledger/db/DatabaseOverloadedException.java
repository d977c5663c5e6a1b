package dev.genledger.db;

/**
 * The database or the pool is saturated: every pooled connection stayed busy for the whole
 * acquisition timeout, or a statement ran into statement_timeout. Not retried — another attempt
 * would only add load — so the caller gets a fast 503.
 */
public class DatabaseOverloadedException extends DatabaseUnavailableException {

    public DatabaseOverloadedException(FailureClassifier.Classification classification, Throwable cause) {
        super(classification, cause);
    }
}
