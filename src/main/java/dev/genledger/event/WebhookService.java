package dev.genledger.event;

import java.sql.Array;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;

import dev.genledger.api.ApiProblem;
import dev.genledger.api.Cursor;
import dev.genledger.api.Page;
import dev.genledger.api.Who;
import dev.genledger.audit.Auditor;
import dev.genledger.db.Sql;
import dev.genledger.db.TranslateFailures;

/** Webhook endpoints (admin-managed), their delivery log, and replays. */
@ApplicationScoped
@TranslateFailures
public class WebhookService {

    private static final String COLUMNS = """
            w.id, w.url, w.event_types, w.description, w.enabled,
            CASE WHEN w.previous_secret_until > now() THEN w.previous_secret_until END, w.created_at, w.updated_at""";

    @Inject
    Sql sql;

    @Inject
    WebhooksConfig config;

    @Inject
    Auditor auditor;

    @Transactional
    public WebhookViews.Endpoint create(WebhookRequests.Create request, Who who) {
        checkUrl(request.url());
        List<String> types = checkTypes(request.eventTypes());
        String secret = request.secret() == null ? WebhookSigner.newSecret() : checkSecret(request.secret());
        UUID id = UUID.randomUUID();
        sql.update("""
                INSERT INTO webhook_endpoints (id, url, event_types, description, secret, enabled)
                VALUES (?, ?, ?, ?, ?, ?)""", id, request.url(), types.toArray(String[]::new), request.description(),
                secret, request.enabled() == null || request.enabled());
        adminAction(who, "webhook-create", id, null);
        return one(id).orElseThrow().withSecret(secret);
    }

    @Transactional
    public List<WebhookViews.Endpoint> list() {
        return sql.list("SELECT " + COLUMNS + " FROM webhook_endpoints w ORDER BY w.created_at, w.id",
                WebhookService::endpoint);
    }

    @Transactional
    public Optional<WebhookViews.Endpoint> get(UUID id) {
        return one(id);
    }

    @Transactional
    public Optional<WebhookViews.Endpoint> update(UUID id, WebhookRequests.Patch patch, Who who) {
        if (patch.url() != null) {
            checkUrl(patch.url());
        }
        List<String> types = patch.eventTypes() == null ? null : checkTypes(patch.eventTypes());
        String secret = patch.secret() != null ? checkSecret(patch.secret())
                : Boolean.TRUE.equals(patch.rotateSecret()) ? WebhookSigner.newSecret() : null;
        int updated = sql.update("""
                UPDATE webhook_endpoints SET url = coalesce(?, url), event_types = coalesce(?::text[], event_types),
                    description = coalesce(?, description), enabled = coalesce(?::boolean, enabled),
                    previous_secret = CASE WHEN ?::text IS NULL THEN previous_secret ELSE secret END,
                    previous_secret_until = CASE WHEN ?::text IS NULL THEN previous_secret_until
                                                 ELSE now() + make_interval(secs => ?) END,
                    secret = coalesce(?, secret), updated_at = now()
                WHERE id = ?""", patch.url(), types == null ? null : types.toArray(String[]::new), patch.description(),
                patch.enabled(), secret, secret, config.secretOverlap().toMillis() / 1000.0, secret, id);
        if (updated == 0) {
            return Optional.empty();
        }
        adminAction(who, secret == null ? "webhook-update" : "webhook-rotate-secret", id, null);
        return one(id).map(e -> e.withSecret(secret));
    }

    @Transactional
    public boolean delete(UUID id, Who who) {
        if (sql.update("DELETE FROM webhook_endpoints WHERE id = ?", id) == 0) {
            return false;
        }
        adminAction(who, "webhook-delete", id, null);
        return true;
    }

    /**
     * Sends the endpoint's events with ids in the range (those of its types still retained) again:
     * each delivery starts afresh, also a delivered or dead-lettered one, or one never made
     * because the endpoint did not exist yet.
     */
    @Transactional
    public Optional<WebhookViews.Replayed> replay(UUID id, WebhookRequests.Replay range, Who who) {
        if (range.toEventId() < range.fromEventId()) {
            throw ApiProblem.invalidField("toEventId", "must not be below fromEventId");
        }
        if (one(id).isEmpty()) {
            return Optional.empty();
        }
        long count = sql.update("""
                INSERT INTO webhook_deliveries (endpoint_id, event_id, event_xid, user_id)
                SELECT w.id, e.id, e.xid, e.user_id
                FROM webhook_endpoints w JOIN events e ON e.id BETWEEN ? AND ?
                WHERE w.id = ? AND (cardinality(w.event_types) = 0 OR e.type = ANY (w.event_types))
                ON CONFLICT ON CONSTRAINT webhook_deliveries_once DO UPDATE
                SET status = 'PENDING', attempts = 0, queued_at = now(), first_attempt_at = NULL,
                    next_attempt_at = now(), lease = NULL, leased_until = NULL, delivered_at = NULL""",
                range.fromEventId(), range.toEventId(), id);
        adminAction(who, "webhook-replay", id, "{\"fromEventId\": " + range.fromEventId() + ", \"toEventId\": "
                + range.toEventId() + ", \"deliveries\": " + count + "}");
        return Optional.of(new WebhookViews.Replayed(count));
    }

    /** The endpoint's deliveries, newest first, each with its attempts; empty for an unknown endpoint. */
    @Transactional
    public Optional<Page<WebhookViews.Delivery>> deliveries(UUID id, String status, String cursor, int limit) {
        if (status != null && !List.of("PENDING", "DELIVERED", "DEAD").contains(status)) {
            throw ApiProblem.badRequest("invalid-status", "status must be one of PENDING, DELIVERED, DEAD");
        }
        if (one(id).isEmpty()) {
            return Optional.empty();
        }
        List<WebhookViews.Delivery> rows = sql.list("""
                SELECT d.id, d.event_id, e.type, d.user_id, d.status, d.attempts, d.last_status, d.last_latency_ms,
                       d.last_error, CASE WHEN d.status = 'PENDING' THEN d.next_attempt_at END, d.delivered_at
                FROM webhook_deliveries d JOIN events e ON e.id = d.event_id
                WHERE d.endpoint_id = ? AND d.id < ? AND (?::text IS NULL OR d.status = ?)
                ORDER BY d.id DESC LIMIT ?""", rs -> new WebhookViews.Delivery(rs.getLong(1), rs.getLong(2),
                        rs.getString(3), rs.getObject(4, UUID.class), rs.getString(5), rs.getInt(6),
                        (Integer) rs.getObject(7), (Integer) rs.getObject(8), rs.getString(9),
                        rs.getObject(10, OffsetDateTime.class), rs.getObject(11, OffsetDateTime.class),
                        attempts(rs.getLong(1))),
                id, Cursor.decode(cursor), status, status, limit + 1);
        return Optional.of(Page.of(rows, limit, WebhookViews.Delivery::id));
    }

    private List<WebhookViews.Attempt> attempts(long deliveryId) {
        return sql.list("""
                SELECT attempt, at, status_code, latency_ms, error FROM webhook_attempts
                WHERE delivery_id = ? ORDER BY id""", rs -> new WebhookViews.Attempt(rs.getInt(1),
                        rs.getObject(2, OffsetDateTime.class), (Integer) rs.getObject(3), rs.getInt(4), rs.getString(5)),
                deliveryId);
    }

    private void adminAction(Who who, String action, UUID id, String details) {
        auditor.adminAction(who, action, id.toString(), null, details);
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

    private Optional<WebhookViews.Endpoint> one(UUID id) {
        return sql.first("SELECT " + COLUMNS + " FROM webhook_endpoints w WHERE w.id = ?", WebhookService::endpoint, id);
    }

    private static WebhookViews.Endpoint endpoint(ResultSet rs) throws SQLException {
        Array types = rs.getArray(3);
        return new WebhookViews.Endpoint(rs.getObject(1, UUID.class), rs.getString(2),
                Arrays.asList((String[]) types.getArray()), rs.getString(4), rs.getBoolean(5), null,
                rs.getObject(6, OffsetDateTime.class), rs.getObject(7, OffsetDateTime.class),
                rs.getObject(8, OffsetDateTime.class));
    }
}
