package dev.genledger.job;

import java.util.Map;
import java.util.Set;

/**
 * A job's life: PENDING → RUNNING → SUCCEEDED / FAILED / CANCELLED, or PENDING → CANCELLED; an
 * open job (PENDING or RUNNING) whose hold ran out becomes EXPIRED.
 */
public enum JobStatus {
    PENDING, RUNNING, SUCCEEDED, FAILED, CANCELLED, EXPIRED;

    private static final Map<JobStatus, Set<JobStatus>> NEXT = Map.of(
            PENDING, Set.of(RUNNING, CANCELLED, EXPIRED),
            RUNNING, Set.of(SUCCEEDED, FAILED, CANCELLED, EXPIRED));

    public boolean mayBecome(JobStatus next) {
        return NEXT.getOrDefault(this, Set.of()).contains(next);
    }

    /** Whether entering this status settles the job's hold. */
    public boolean settles() {
        return this == SUCCEEDED || this == FAILED || this == CANCELLED || this == EXPIRED;
    }

    /** Whether the job still holds its credits. */
    public boolean isOpen() {
        return this == PENDING || this == RUNNING;
    }
}
