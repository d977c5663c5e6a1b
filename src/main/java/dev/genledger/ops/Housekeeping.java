package dev.genledger.ops;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import dev.genledger.api.Who;
import dev.genledger.db.OncePerFleet;
import dev.genledger.job.JobService;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.annotations.RegisterForReflection;
import io.quarkus.scheduler.Scheduled;
import org.jboss.logging.Logger;

/**
 * Fails jobs stuck in RUNNING (releasing their holds) on a schedule; an operator's run also runs
 * the retention purge. Every replica schedules it; each part takes a PostgreSQL transaction-level
 * advisory lock first, so one replica at a time does the work and the others skip the run.
 */
@ApplicationScoped
public class Housekeeping {

    private static final Logger LOG = Logger.getLogger(Housekeeping.class);

    /** What one run did; -1 stuck jobs when another replica held the sweep's lock. */
    @RegisterForReflection
    public record Run(int stuckJobsFailed, Retention.Report retention) {
    }

    @Inject
    JobService jobs;

    @Inject
    Retention retention;

    @Inject
    MeterRegistry registry;

    // Only the sweep runs this often (GENLEDGER_HOUSEKEEPING_EVERY; "off" disables it); the retention
    // purge has its own schedule (RetentionSchedule). Schedules read their settings only here.
    @Scheduled(identity = "housekeeping", every = "${genledger.housekeeping.every:1m}",
            delayed = "${genledger.housekeeping.delay:30s}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void scheduled() {
        OncePerFleet.scheduled(LOG, "housekeeping run", "housekeeping: %d stuck jobs failed and released",
                () -> sweep(Who.system("housekeeping")));
    }

    /** The sweep and the retention purge, now (an operator's run). */
    public Run run(Who who) {
        return new Run(sweep(who), retention.run("housekeeping", who));
    }

    private int sweep(Who who) {
        int stuck = jobs.sweepStuck(who);
        if (stuck > 0) {
            registry.counter("genledger.jobs.transitions", "to", "FAILED").increment(stuck);
        }
        return stuck;
    }
}
