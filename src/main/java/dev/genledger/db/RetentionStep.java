package dev.genledger.db;

/**
 * One kind of data the retention purge removes for good, contributed as a CDI bean by the package
 * that owns its table. The runner (ops) calls every step in one transaction, once across replicas,
 * by ascending {@link #order()}: a step whose rows refer to another's runs first.
 */
public interface RetentionStep {

    /** A stable name for logs, metrics, the report and the audit trail, e.g. {@code "quizzes"}. */
    String name();

    /** Where the step runs among the others; steps of equal order run by name. */
    int order();

    /**
     * Removes what its retention setting ({@link RetentionConfig}) has made purgeable and returns
     * how many rows went. Runs in the runner's transaction, which the runner has tagged for the audit trail.
     */
    long purge();
}
