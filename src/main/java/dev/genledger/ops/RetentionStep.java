package dev.genledger.ops;

import java.time.Instant;

import dev.genledger.api.Who;

/**
 * One kind of data the retention purge removes for good (soft-deleted users and quizzes past the
 * retention period, old audit rows...). Feature packages contribute steps as CDI beans; the
 * {@link Retention} runner calls each inside its one transaction, once across all replicas.
 */
public interface RetentionStep {

    /** A stable name for logs, metrics and the report, e.g. {@code "deleted-quizzes"}. */
    String name();

    /**
     * Removes what {@code cutoff} has made purgeable and returns how many rows went. Runs in the
     * runner's transaction (statement timeout applies per statement: work in bounded batches);
     * {@code who} started the run, for the audit trail.
     */
    long purge(Instant cutoff, Who who);
}
