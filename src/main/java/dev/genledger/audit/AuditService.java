package dev.genledger.audit;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import javax.sql.DataSource;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.genledger.api.Cursor;
import dev.genledger.api.Page;
import dev.genledger.db.TranslateFailures;

/** Searches the audit history, newest first. */
@ApplicationScoped
@TranslateFailures
public class AuditService {

    @Inject
    DataSource dataSource;

    @Inject
    ObjectMapper json;

    @Transactional(rollbackOn = SQLException.class)
    public Page<AuditViews.Entry> search(AuditViews.Filter f, String cursor, int limit) throws SQLException {
        List<AuditViews.Entry> rows = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement("""
                SELECT id, at, actor, client_ip, user_agent, request_id, entity, entity_id, user_id, action,
                       old_values::text, new_values::text
                FROM audit_log
                WHERE id < ?
                  AND (?::uuid IS NULL OR user_id = ?::uuid)
                  AND (?::text IS NULL OR entity = ?::text)
                  AND (?::text IS NULL OR entity_id = ?::text)
                  AND (?::text IS NULL OR action = ?::text)
                  AND (?::timestamptz IS NULL OR at >= ?::timestamptz)
                  AND (?::timestamptz IS NULL OR at < ?::timestamptz)
                ORDER BY id DESC LIMIT ?
                """)) {
            int i = 1;
            ps.setLong(i++, Cursor.decode(cursor));
            for (Object value : new Object[] { f.userId(), f.entity(), f.entityId(), f.action(), f.from(), f.to() }) {
                ps.setObject(i++, value);
                ps.setObject(i++, value);
            }
            ps.setInt(i, limit + 1);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    rows.add(new AuditViews.Entry(rs.getLong(1), rs.getObject(2, OffsetDateTime.class), rs.getString(3),
                            rs.getString(4), rs.getString(5), rs.getString(6), rs.getString(7), rs.getString(8),
                            rs.getObject(9, UUID.class), rs.getString(10), tree(rs.getString(11)),
                            tree(rs.getString(12))));
                }
            }
        }
        return Page.of(rows, limit, AuditViews.Entry::id);
    }

    private JsonNode tree(String text) {
        try {
            return text == null ? null : json.readTree(text);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
