package dev.genledger.insight;

import jakarta.enterprise.context.ApplicationScoped;

import dev.genledger.db.PurgeFunctionStep;
import dev.genledger.db.RetentionConfig;

/**
 * Removes insights deleted, of a quiz deleted, or of a user deleted longer ago than the
 * retention. Before the quizzes they refer to.
 */
@ApplicationScoped
public class InsightRetention extends PurgeFunctionStep {

    InsightRetention() {
        super("insights", 10, "purge_insights", RetentionConfig::deleted);
    }
}
