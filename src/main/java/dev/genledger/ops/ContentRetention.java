package dev.genledger.ops;

import java.sql.SQLException;
import java.time.Instant;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import dev.genledger.api.Who;

/**
 * Plugs the purge of deleted users, quizzes, insights and old audit entries into the retention
 * runner, so an operator's retention run removes them too. That purge keeps its own retention
 * settings (genledger.retention.deleted / .audit), so the runner's cutoff does not apply to it.
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
    public long purge(Instant cutoff) {
        try {
            return purge.purge(Who.system("retention")).purged().values().stream().mapToLong(Integer::longValue).sum();
        } catch (SQLException e) {
            throw new IllegalStateException("retention purge failed: SQLState " + e.getSQLState(), e);
        }
    }
}
