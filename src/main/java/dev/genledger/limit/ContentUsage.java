package dev.genledger.limit;

import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import dev.genledger.db.Sql;

/**
 * Reads a user's live content counts ({@code content_usage}, kept by triggers on quizzes and
 * insights). Read right after the change that counted, in its transaction: that change updated the
 * user's row, so a concurrent creator either committed first (and is counted here) or waits on the
 * row and then fails with a serialization error and is retried. A quota checked this way cannot be
 * overshot, on one replica or many.
 */
@ApplicationScoped
public class ContentUsage {

    @Inject
    Sql sql;

    public long liveQuizzes(UUID userId) {
        return read("live_quizzes", userId);
    }

    public long liveInsights(UUID userId) {
        return read("live_insights", userId);
    }

    private long read(String column, UUID userId) {
        return sql.first("SELECT " + column + " FROM content_usage WHERE user_id = ?", rs -> rs.getLong(1), userId)
                .orElse(0L);
    }
}
