package dev.genledger.job;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.EnumSet;
import java.util.Set;

import org.junit.jupiter.api.Test;

/** The job state machine alone: which moves exist and which of them settle the hold. */
class JobStatusTests {

    @Test
    void onlyTheDocumentedMovesAreAllowed() {
        for (JobStatus from : JobStatus.values()) {
            Set<JobStatus> allowed = EnumSet.noneOf(JobStatus.class);
            for (JobStatus to : JobStatus.values()) {
                if (from.mayBecome(to)) {
                    allowed.add(to);
                }
            }
            Set<JobStatus> expected = switch (from) {
                case PENDING -> EnumSet.of(JobStatus.RUNNING, JobStatus.CANCELLED, JobStatus.EXPIRED);
                case RUNNING -> EnumSet.of(JobStatus.SUCCEEDED, JobStatus.FAILED, JobStatus.CANCELLED, JobStatus.EXPIRED);
                case SUCCEEDED, FAILED, CANCELLED, EXPIRED -> EnumSet.noneOf(JobStatus.class);
            };
            assertEquals(expected, allowed, "moves from " + from);
        }
    }

    @Test
    void exactlyTheFinalStatusesSettleTheHold() {
        Set<JobStatus> settling = EnumSet.noneOf(JobStatus.class);
        for (JobStatus s : JobStatus.values()) {
            if (s.settles()) {
                settling.add(s);
            }
        }
        assertEquals(EnumSet.of(JobStatus.SUCCEEDED, JobStatus.FAILED, JobStatus.CANCELLED, JobStatus.EXPIRED),
                settling);
    }
}
