package dev.genledger.job;

import jakarta.enterprise.context.ApplicationScoped;

import dev.genledger.db.PurgeFunctionStep;
import dev.genledger.db.RetentionConfig;

/**
 * Removes the jobs, transitions and holds of users deleted longer ago than the retention. Before
 * the users' anonymisation.
 */
@ApplicationScoped
public class JobRetention extends PurgeFunctionStep {

    JobRetention() {
        super("jobs", 30, "purge_user_jobs", RetentionConfig::deleted);
    }
}
