package dev.genledger.event;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import javax.sql.DataSource;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;

import dev.genledger.api.ApiProblem;
import dev.genledger.api.Cursor;
import dev.genledger.api.Page;
import dev.genledger.api.Who;
import dev.genledger.audit.Auditor;
import dev.genledger.db.TranslateFailures;

/** Webhook endpoints (admin-managed), their delivery log, and replays. */
@ApplicationScoped
@TranslateFailures
public class WebhookService {

    private static final String COLUMNS = """
            w.id, w.url, w.event_types, w.description, w.enabled,
            CASE WHEN w.previous_secret_until > now() THEN w.previous_secret_until END, w.created_at, w.updated_at""";

    @Inject
    DataSource dataSource;

    @Inject
    WebhooksConfig config;

    @Inject
    Auditor auditor;

    @Transactional(rollbackOn = SQLException.class)
    public WebhookViews.Endpoint create(WebhookRequests.Create request, Who who) throws SQLException {
        checkUrl(request.url());
        List<String> types = checkTypes(request.eventTypes());
        String secret = request.secret() == null ? WebhookSigner.newSecret() : checkSecret(request.secret());
        UUID id = UUID.randomUUID();
        try (Connection c = dataSource.getConnection()) {
            try (PreparedStatement ps = c.prepareStatement("""
                    INSERT INTO webhook_endpoints (id, url, event_types, description, secret, enabled)
                    VALUES (?, ?, ?, ?, ?, ?)""")) {
                ps.setObject(1, id);
                ps.setString(2, request.url());
                ps.setArray(3, c.createArrayOf("text", types.toArray()));
                ps.setString(4, request.description());
                ps.setString(5, secret);
                ps.setBoolean(6, request.enabled() == null || request.enabled());
                ps.executeUpdate();
            }
            auditor.adminAction(who, "webhook-create", id.toString(), null, null);
            return one(c, id).orElseThrow().withSecret(secret);
        }
    }

    @Transactional(rollbackOn = SQLException.class)
    public List<WebhookViews.Endpoint> list() throws SQLException {
        List<WebhookViews.Endpoint> all = new ArrayList<>();
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM webhook_endpoints w ORDER BY w.created_at, w.id");
                ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                all.add(endpoint(rs));
            }
        }
        return all;
    }

    @Transactional(rollbackOn = SQLException.class)
    public Optional<WebhookViews.Endpoint> get(UUID id) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            return one(c, id);
        }
    }

    @Transactional(rollbackOn = SQLException.class)
    public Optional<WebhookViews.Endpoint> update(UUID id, WebhookRequests.Patch patch, Who who) throws SQLException {
        if (patch.url() != null) {
            checkUrl(patch.url());
        }
        List<String> types = patch.eventTypes() == null ? null : checkTypes(patch.eventTypes());
        String secret = patch.secret() != null ? checkSecret(patch.secret())
                : Boolean.TRUE.equals(patch.rotateSecret()) ? WebhookSigner.newSecret() : null;
        try (Connection c = dataSource.getConnection()) {
            try (PreparedStatement ps = c.prepareStatement("""
                    UPDATE webhook_endpoints SET url = coalesce(?, url), event_types = coalesce(?, event_types),
                        description = coalesce(?, description), enabled = coalesce(?, enabled),
                        previous_secret = CASE WHEN ?::text IS NULL THEN previous_secret ELSE secret END,
                        previous_secret_until = CASE WHEN ?::text IS NULL THEN previous_secret_until
                                                     ELSE now() + make_interval(secs => ?) END,
                        secret = coalesce(?, secret), updated_at = now()
                    WHERE id = ?""")) {
                ps.setString(1, patch.url());
                ps.setArray(2, types == null ? null : c.createArrayOf("text", types.toArray()));
                ps.setString(3, patch.description());
                ps.setObject(4, patch.enabled());
                ps.setString(5, secret);
                ps.setString(6, secret);
                ps.setDouble(7, config.secretOverlap().toMillis() / 1000.0);
                ps.setString(8, secret);
                ps.setObject(9, id);
                if (ps.executeUpdate() == 0) {
                    return Optional.empty();
                }
            }
            auditor.adminAction(who, secret == null ? "webhook-update" : "webhook-rotate-secret", id.toString(),
                    null, null);
            return one(c, id).map(e -> e.withSecret(secret));
        }
    }

    @Transactional(rollbackOn = SQLException.class)
    public boolean delete(UUID id, Who who) throws SQLException {
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement("DELETE FROM webhook_endpoints WHERE id = ?")) {
            ps.setObject(1, id);
            if (ps.executeUpdate() == 0) {
                return false;
            }
            auditor.adminAction(who, "webhook-delete", id.toString(), null, null);
            return true;
        }
    }

    /**
     * Sends the endpoint's events with ids in the range (those of its types still retained) again:
     * each delivery starts afresh, also a delivered or dead-lettered one, or one never made
     * because the endpoint did not exist yet.
     */
    @Transactional(rollbackOn = SQLException.class)
    public Optional<WebhookViews.Replayed> replay(UUID id, WebhookRequests.Replay range, Who who) throws SQLException {
        if (range.toEventId() < range.fromEventId()) {
            throw ApiProblem.invalidField("toEventId", "must not be below fromEventId");
        }
        try (Connection c = dataSource.getConnection()) {
            if (one(c, id).isEmpty()) {
                return Optional.empty();
            }
            long count;
            try (PreparedStatement ps = c.prepareStatement("""
                    INSERT INTO webhook_deliveries (endpoint_id, event_id, event_xid, user_id)
                    SELECT w.id, e.id, e.xid, e.user_id
                    FROM webhook_endpoints w JOIN events e ON e.id BETWEEN ? AND ?
                    WHERE w.id = ? AND (cardinality(w.event_types) = 0 OR e.type = ANY (w.event_types))
                    ON CONFLICT ON CONSTRAINT webhook_deliveries_once DO UPDATE
                    SET status = 'PENDING', attempts = 0, queued_at = now(), first_attempt_at = NULL,
                        next_attempt_at = now(), lease = NULL, leased_until = NULL, delivered_at = NULL""")) {
                ps.setLong(1, range.fromEventId());
                ps.setLong(2, range.toEventId());
                ps.setObject(3, id);
                count = ps.executeUpdate();
            }
            auditor.adminAction(who, "webhook-replay", id.toString(), null,
                    "{\"fromEventId\": " + range.fromEventId() + ", \"toEventId\": " + range.toEventId()
                            + ", \"deliveries\": " + count + "}");
            return Optional.of(new WebhookViews.Replayed(count));
        }
    }

    /** The endpoint's deliveries, newest first, each with its attempts; empty for an unknown endpoint. */
    @Transactional(rollbackOn = SQLException.class)
    public Optional<Page<WebhookViews.Delivery>> deliveries(UUID id, String status, String cursor, int limit)
            throws SQLException {
        if (status != null && !List.of("PENDING", "DELIVERED", "DEAD").contains(status)) {
            throw ApiProblem.badRequest("invalid-status", "status must be one of PENDING, DELIVERED, DEAD");
        }
        try (Connection c = dataSource.getConnection()) {
            if (one(c, id).isEmpty()) {
                return Optional.empty();
            }
            List<WebhookViews.Delivery> rows = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("""
                    SELECT d.id, d.event_id, e.type, d.user_id, d.status, d.attempts, d.last_status, d.last_latency_ms,
                           d.last_error, CASE WHEN d.status = 'PENDING' THEN d.next_attempt_at END, d.delivered_at
                    FROM webhook_deliveries d JOIN events e ON e.id = d.event_id
                    WHERE d.endpoint_id = ? AND d.id < ? AND (?::text IS NULL OR d.status = ?)
                    ORDER BY d.id DESC LIMIT ?""")) {
                ps.setObject(1, id);
                ps.setLong(2, Cursor.decode(cursor));
                ps.setString(3, status);
                ps.setString(4, status);
                ps.setInt(5, limit + 1);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        rows.add(new WebhookViews.Delivery(rs.getLong(1), rs.getLong(2), rs.getString(3),
                                rs.getObject(4, UUID.class), rs.getString(5), rs.getInt(6),
                                (Integer) rs.getObject(7), (Integer) rs.getObject(8), rs.getString(9),
                                rs.getObject(10, OffsetDateTime.class), rs.getObject(11, OffsetDateTime.class),
                                attempts(c, rs.getLong(1))));
                    }
                }
            }
            return Optional.of(Page.of(rows, limit, WebhookViews.Delivery::id));
        }
    }

    private static List<WebhookViews.Attempt> attempts(Connection c, long deliveryId) throws SQLException {
        List<WebhookViews.Attempt> log = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("""
                SELECT attempt, at, status_code, latency_ms, error FROM webhook_attempts
                WHERE delivery_id = ? ORDER BY id""")) {
            ps.setLong(1, deliveryId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    log.add(new WebhookViews.Attempt(rs.getInt(1), rs.getObject(2, OffsetDateTime.class),
                            (Integer) rs.getObject(3), rs.getInt(4), rs.getString(5)));
                }
            }
        }
        return log;
    }

    private void checkUrl(String url) {
        String refusal = new TargetPolicy(config.allowPrivateTargets()).refusal(url);
        if (refusal != null) {
            throw ApiProblem.badRequest("webhook-target-refused", "the webhook URL is refused: " + refusal)
                    .with("errors", List.of(java.util.Map.of("field", "url", "message", refusal)));
        }
    }

    private static List<String> checkTypes(List<String> types) {
        if (types == null) {
            return List.of();
        }
        for (String type : types) {
            if (!EventTypes.ALL.contains(type)) {
                throw ApiProblem.invalidField("eventTypes", "unknown event type " + type + "; known: " + EventTypes.ALL);
            }
        }
        return types.stream().distinct().toList();
    }

    private static String checkSecret(String secret) {
        if (!WebhookSigner.isValid(secret)) {
            throw ApiProblem.invalidField("secret", "must be whsec_ followed by the base64 of 24 to 64 bytes");
        }
        return secret;
    }

    private static Optional<WebhookViews.Endpoint> one(Connection c, UUID id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM webhook_endpoints w WHERE w.id = ?")) {
            ps.setObject(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(endpoint(rs)) : Optional.empty();
            }
        }
    }

    private static WebhookViews.Endpoint endpoint(ResultSet rs) throws SQLException {
        Array types = rs.getArray(3);
        return new WebhookViews.Endpoint(rs.getObject(1, UUID.class), rs.getString(2),
                Arrays.asList((String[]) types.getArray()), rs.getString(4), rs.getBoolean(5), null,
                rs.getObject(6, OffsetDateTime.class), rs.getObject(7, OffsetDateTime.class),
                rs.getObject(8, OffsetDateTime.class));
    }
}
