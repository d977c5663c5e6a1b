package dev.genledger.event;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;

import dev.genledger.api.Page;
import dev.genledger.db.Sql;
import dev.genledger.user.LiveUsers;
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
    Sql sql;

    @Inject
    LiveUsers users;

    /** Every user's events after {@code cursor}. */
    @Transactional
    public Page<EventView> all(String cursor, int limit) {
        return page(null, EventCursor.decode(cursor), limit);
    }

    /** One user's events after {@code cursor}; empty when there is no such user. */
    @Transactional
    public Optional<Page<EventView>> ofUser(UUID userId, String cursor, int limit) {
        EventCursor after = EventCursor.decode(cursor);
        if (!users.unpurged(userId)) {
            return Optional.empty();
        }
        return Optional.of(page(userId, after, limit));
    }

    private Page<EventView> page(UUID userId, EventCursor after, int limit) {
        List<Positioned> rows = sql.list("SELECT " + COLUMNS + " FROM events e "
                + "WHERE (?::uuid IS NULL OR e.user_id = ?) AND (e.xid, e.id) > (?::text::xid8, ?) "
                + "AND e.xid < pg_snapshot_xmin(pg_current_snapshot()) ORDER BY e.xid, e.id LIMIT ?",
                rs -> new Positioned(view(rs), new EventCursor(rs.getLong(6), rs.getLong(1))),
                userId, userId, Long.toString(after.xid()), after.id(), limit);
        EventCursor last = rows.isEmpty() ? after : rows.getLast().cursor();
        return new Page<>(rows.stream().map(Positioned::event).toList(), last.encode());
    }

    private record Positioned(EventView event, EventCursor cursor) {
    }

    static EventView view(ResultSet rs) throws SQLException {
        return new EventView(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getObject(4, UUID.class),
                rs.getString(5));
    }
}
