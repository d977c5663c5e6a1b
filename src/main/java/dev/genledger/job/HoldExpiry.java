package dev.genledger.job;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import dev.genledger.api.Who;
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
        try {
            int expired = jobs.expireHolds(Who.system("hold-expiry"));
            if (expired > 0) {
                LOG.infof("hold expiry: %d jobs expired and their holds released", expired);
            }
        } catch (RuntimeException e) {
            // the next run tries again: nothing a failed run did survives it
            LOG.warnf("hold expiry failed, the next run retries: %s", e.toString());
        }
    }
}
