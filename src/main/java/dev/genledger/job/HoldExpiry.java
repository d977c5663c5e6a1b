package dev.genledger.job;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import dev.genledger.api.Who;
import dev.genledger.db.OncePerFleet;
import io.quarkus.scheduler.Scheduled;
import org.jboss.logging.Logger;

/**
 * Runs the hold expiry sweep ({@link JobService#expireHolds}) on every replica; its advisory lock
 * lets one at a time do the work, and a run that fails or is killed leaves nothing for the next
 * one to undo.
 */
@ApplicationScoped
public class HoldExpiry {

    private static final Logger LOG = Logger.getLogger(HoldExpiry.class);

    @Inject
    JobService jobs;

    // GENLEDGER_JOBS_EXPIRY_EVERY ("off" disables it); read only here, like the other schedules.
    @Scheduled(identity = "hold-expiry", every = "${genledger.jobs.expiry-every:10s}",
            delayed = "${genledger.jobs.expiry-delay:15s}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void scheduled() {
        OncePerFleet.scheduled(LOG, "hold expiry", "hold expiry: %d jobs expired and their holds released",
                () -> jobs.expireHolds(Who.system("hold-expiry")));
    }
}
