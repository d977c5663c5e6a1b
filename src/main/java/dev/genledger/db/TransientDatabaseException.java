package dev.genledger.db;

/**
 * A database failure that may go away by itself. Resources retry it (a new transaction each
 * time); when retries run out it becomes a 503 with Retry-After.
 */
public class TransientDatabaseException extends RuntimeException {

    private final FailureClassifier.Classification classification;

    public TransientDatabaseException(FailureClassifier.Classification classification, Throwable cause) {
        super("transient database failure (" + classification.kind() + ", SQLState " + classification.sqlState() + ")", cause);
        this.classification = classification;
    }

    public FailureClassifier.Kind kind() {
        return classification.kind();
    }

    public String sqlState() {
        return classification.sqlState();
    }

    /** Builds the subclass that fault tolerance needs to tell apart. */
    public static TransientDatabaseException of(FailureClassifier.Classification c, Throwable cause) {
        return switch (c.kind()) {
            case CONTENTION -> new TransientDatabaseException(c, cause);
            case UNAVAILABLE -> new DatabaseUnavailableException(c, cause);
            case POOL_EXHAUSTED, TIMED_OUT -> new DatabaseOverloadedException(c, cause);
            case PERMANENT -> throw new IllegalArgumentException("not transient: " + c);
        };
    }
}
