package dev.genledger.user;

import jakarta.enterprise.context.ApplicationScoped;

import dev.genledger.db.PurgeFunctionStep;
import dev.genledger.db.RetentionConfig;

/**
 * Turns users deleted longer ago than the retention into anonymised tombstones (their ledger
 * keeps referring to them), once the steps before have removed their data.
 */
@ApplicationScoped
public class UserRetention extends PurgeFunctionStep {

    UserRetention() {
        super("users", 40, "purge_users", RetentionConfig::deleted);
    }
}
