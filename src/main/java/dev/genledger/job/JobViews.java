package dev.genledger.job;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonIgnore;
import io.quarkus.runtime.annotations.RegisterForReflection;

/** What the job endpoints answer. */
public final class JobViews {

    private JobViews() {
    }

    /**
     * A job; {@code transitions} is its full history on a single read, null in lists.
     * {@code holdTtl} is an ISO-8601 duration; {@code actualCost} what a success charged.
     */
    @RegisterForReflection
    public record Job(UUID id, UUID userId, String jobKey, String kind, long cost, JobStatus status, String resultRef,
            String error, OffsetDateTime createdAt, OffsetDateTime updatedAt, OffsetDateTime startedAt,
            OffsetDateTime finishedAt, String holdTtl, OffsetDateTime holdExpiresAt, Long actualCost,
            List<Transition> transitions, @JsonIgnore long position) {

        Job withTransitions(List<Transition> history) {
            return new Job(id, userId, jobKey, kind, cost, status, resultRef, error, createdAt, updatedAt, startedAt,
                    finishedAt, holdTtl, holdExpiresAt, actualCost, history, position);
        }
    }

    @RegisterForReflection

    public record Transition(JobStatus from, JobStatus to, String actor, String reason, OffsetDateTime at) {
    }

    /** A heartbeat's answer: the hold now lives until {@code holdExpiresAt}. */
    @RegisterForReflection
    public record Heartbeat(UUID jobId, JobStatus status, String holdTtl, OffsetDateTime holdExpiresAt) {
    }
}
