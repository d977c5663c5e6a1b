package dev.genledger.db;

/**
 * Every pooled connection stayed busy for the whole acquisition timeout. Not retried: waiting
 * again would only lengthen the queue; the caller gets a fast 503.
 */
public class PoolExhaustedException extends DatabaseUnavailableException {

    public PoolExhaustedException(FailureClassifier.Classification classification, Throwable cause) {
        super(classification, cause);
    }
}
