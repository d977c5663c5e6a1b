package dev.genledger.limit;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.UUID;

/**
 * Reads a user's live content counts ({@code content_usage}, kept by triggers on quizzes and
 * insights). Read right after the change that counted, in its transaction: that change updated the
 * user's row, so a concurrent creator either committed first (and is counted here) or waits on the
 * row and then fails with a serialization error and is retried. A quota checked this way cannot be
 * overshot, on one replica or many.
 */
public final class ContentUsage {

    private ContentUsage() {
    }

    public static long liveQuizzes(Connection c, UUID userId) throws SQLException {
        return read(c, "live_quizzes", userId);
    }

    public static long liveInsights(Connection c, UUID userId) throws SQLException {
        return read(c, "live_insights", userId);
    }

    private static long read(Connection c, String column, UUID userId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT " + column + " FROM content_usage WHERE user_id = ?")) {
            ps.setObject(1, userId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getLong(1) : 0;
            }
        }
    }
}
