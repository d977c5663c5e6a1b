package dev.genledger.event;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import javax.sql.DataSource;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;

import dev.genledger.api.Page;
import dev.genledger.db.TranslateFailures;

/**
 * Reads the outbox. A page holds only events of transactions older than every transaction still
 * running, in (xid, id) order, so paging on never misses an event that commits late; its
 * {@code nextCursor} is where to continue, also when the page is empty (poll again with it).
 */
@ApplicationScoped
@TranslateFailures
public class EventService {

    static final String COLUMNS = "e.id, e.type, event_time(e.occurred_at), e.user_id, e.data::text, e.xid::text::bigint";

    @Inject
    DataSource dataSource;

    /** Every user's events after {@code cursor}. */
    @Transactional(rollbackOn = SQLException.class)
    public Page<EventView> all(String cursor, int limit) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            return page(c, null, EventCursor.decode(cursor), limit);
        }
    }

    /** One user's events after {@code cursor}; empty when there is no such user. */
    @Transactional(rollbackOn = SQLException.class)
    public Optional<Page<EventView>> ofUser(UUID userId, String cursor, int limit) throws SQLException {
        EventCursor after = EventCursor.decode(cursor);
        try (Connection c = dataSource.getConnection()) {
            try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM users WHERE id = ? AND purged_at IS NULL")) {
                ps.setObject(1, userId);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        return Optional.empty();
                    }
                }
            }
            return Optional.of(page(c, userId, after, limit));
        }
    }

    private static Page<EventView> page(Connection c, UUID userId, EventCursor after, int limit) throws SQLException {
        List<EventView> items = new ArrayList<>();
        EventCursor last = after;
        try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM events e "
                + "WHERE (?::uuid IS NULL OR e.user_id = ?) AND (e.xid, e.id) > (?::text::xid8, ?) "
                + "AND e.xid < pg_snapshot_xmin(pg_current_snapshot()) ORDER BY e.xid, e.id LIMIT ?")) {
            ps.setObject(1, userId);
            ps.setObject(2, userId);
            ps.setString(3, Long.toString(after.xid()));
            ps.setLong(4, after.id());
            ps.setInt(5, limit);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    items.add(view(rs));
                    last = new EventCursor(rs.getLong(6), rs.getLong(1));
                }
            }
        }
        return new Page<>(items, last.encode());
    }

    static EventView view(ResultSet rs) throws SQLException {
        return new EventView(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getObject(4, UUID.class),
                rs.getString(5));
    }
}
