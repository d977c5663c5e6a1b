package dev.genledger.job;

import java.util.Map;
import java.util.Set;

/** A job's life: PENDING → RUNNING → SUCCEEDED / FAILED / CANCELLED, or PENDING → CANCELLED. */
public enum JobStatus {
    PENDING, RUNNING, SUCCEEDED, FAILED, CANCELLED;

    private static final Map<JobStatus, Set<JobStatus>> NEXT = Map.of(
            PENDING, Set.of(RUNNING, CANCELLED),
            RUNNING, Set.of(SUCCEEDED, FAILED, CANCELLED));

    public boolean mayBecome(JobStatus next) {
        return NEXT.getOrDefault(this, Set.of()).contains(next);
    }

    /** Whether entering this status settles the job's hold. */
    public boolean settles() {
        return this == SUCCEEDED || this == FAILED || this == CANCELLED;
    }
}
