package dev.genledger.audit;

import jakarta.enterprise.context.ApplicationScoped;

import dev.genledger.db.PurgeFunctionStep;
import dev.genledger.db.RetentionConfig;

/**
 * Removes audit history older than its own retention. Last: the steps before scrub audit rows of
 * what they remove.
 */
@ApplicationScoped
public class AuditRetention extends PurgeFunctionStep {

    AuditRetention() {
        super("auditEntries", 50, "purge_audit_log", RetentionConfig::audit);
    }
}
