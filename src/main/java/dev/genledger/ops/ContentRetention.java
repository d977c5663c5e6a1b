package dev.genledger.ops;

import java.sql.SQLException;
import java.time.Instant;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import dev.genledger.api.Who;

/**
 * The purge of deleted users, quizzes, insights and old audit entries, as a step of the retention
 * runner. It keeps its own retention settings (genledger.retention.deleted / .audit), so the
 * runner's cutoff does not apply to it.
 */
@ApplicationScoped
public class ContentRetention implements RetentionStep {

    @Inject
    RetentionPurge purge;

    @Override
    public String name() {
        return "deleted-content-and-audit";
    }

    @Override
    public long purge(Instant cutoff, Who who) {
        try {
            return purge.purge(who).purged().values().stream().mapToLong(Integer::longValue).sum();
        } catch (SQLException e) {
            throw new IllegalStateException("retention purge failed: SQLState " + e.getSQLState(), e);
        }
    }
}
