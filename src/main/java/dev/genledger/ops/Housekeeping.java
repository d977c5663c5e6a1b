package dev.genledger.ops;

import java.sql.SQLException;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import dev.genledger.api.Who;
import dev.genledger.job.JobService;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.annotations.RegisterForReflection;
import io.quarkus.scheduler.Scheduled;
import org.jboss.logging.Logger;

/**
 * The scheduled job: fails jobs stuck in RUNNING (releasing their holds), then purges what is
 * past retention. Every replica schedules it; each part takes a PostgreSQL transaction-level
 * advisory lock first, so one replica at a time does the work and the others skip the run.
 */
@ApplicationScoped
public class Housekeeping {

    private static final Logger LOG = Logger.getLogger(Housekeeping.class);

    /** What one run did; -1 stuck jobs when another replica held the sweep's lock. */
    @RegisterForReflection
    public record Run(int stuckJobsFailed, RetentionPurge.Result retention) {
    }

    @Inject
    JobService jobs;

    @Inject
    RetentionPurge retention;

    @Inject
    MeterRegistry registry;

    @Scheduled(identity = "housekeeping", every = "${genledger.housekeeping.every:1m}",
            delayed = "${genledger.housekeeping.delay:30s}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void scheduled() {
        try {
            Run run = run(Who.system("housekeeping"));
            if (run.stuckJobsFailed() > 0 || run.retention().purged().values().stream().anyMatch(n -> n > 0)) {
                LOG.infof("housekeeping: %s", run);
            }
        } catch (Exception e) {
            // the next run tries again; a transient failure is nothing to page about
            LOG.warnf("housekeeping run failed, the next run retries: %s", e.toString());
        }
    }

    public Run run(Who who) throws SQLException {
        int stuck = jobs.sweepStuck(who);
        registry.counter("genledger.jobs.transitions", "to", "FAILED").increment(stuck);
        return new Run(stuck, retention.purge(who));
    }
}
