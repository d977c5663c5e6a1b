package dev.genledger.event;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;

import dev.genledger.api.ApiProblem;
import dev.genledger.api.Cursor;
import dev.genledger.api.Page;
import dev.genledger.api.Who;
import dev.genledger.audit.Auditor;
import dev.genledger.db.Sql;
import dev.genledger.db.TranslateFailures;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.panache.common.Sort;
import io.quarkus.runtime.LaunchMode;
import io.quarkus.runtime.StartupEvent;
import org.jboss.logging.Logger;

/** Webhook endpoints (admin-managed), their delivery log, and replays. */
@ApplicationScoped
@TranslateFailures
public class WebhookService {

    private static final Logger LOG = Logger.getLogger(WebhookService.class);

    @Inject
    Sql sql;

    @Inject
    WebhookSecretCipher secrets;

    @Inject
    WebhooksConfig config;

    @Inject
    Auditor auditor;

    @Transactional
    public WebhookViews.Endpoint create(WebhookRequests.Create request, Who who) {
        checkUrl(request.url());
        WebhookEndpoint endpoint = new WebhookEndpoint();
        endpoint.id = UUID.randomUUID();
        endpoint.url = request.url();
        endpoint.eventTypes = checkTypes(request.eventTypes()).toArray(String[]::new);
        endpoint.description = request.description();
        String secret = request.secret() == null ? WebhookSigner.newSecret() : checkSecret(request.secret());
        endpoint.secret = secrets.seal(secret, endpoint.id);
        endpoint.enabled = request.enabled() == null || request.enabled();
        endpoint.persistAndFlush();
        adminAction(who, "webhook-create", endpoint.id, null);
        return endpoint.view().withSecret(secret);
    }

    @Transactional
    public List<WebhookViews.Endpoint> list() {
        return WebhookEndpoint.<WebhookEndpoint>listAll(Sort.by("createdAt").and("id")).stream()
                .map(WebhookEndpoint::view).toList();
    }

    @Transactional
    public Optional<WebhookViews.Endpoint> get(UUID id) {
        return WebhookEndpoint.<WebhookEndpoint>findByIdOptional(id).map(WebhookEndpoint::view);
    }

    @Transactional
    public Optional<WebhookViews.Endpoint> update(UUID id, WebhookRequests.Patch patch, Who who) {
        if (patch.url() != null) {
            checkUrl(patch.url());
        }
        List<String> types = patch.eventTypes() == null ? null : checkTypes(patch.eventTypes());
        String secret = patch.secret() != null ? checkSecret(patch.secret())
                : Boolean.TRUE.equals(patch.rotateSecret()) ? WebhookSigner.newSecret() : null;
        Optional<WebhookEndpoint> found = WebhookEndpoint.findByIdOptional(id);
        if (found.isEmpty()) {
            return Optional.empty();
        }
        WebhookEndpoint endpoint = found.get();
        if (patch.url() != null) {
            endpoint.url = patch.url();
        }
        if (types != null) {
            endpoint.eventTypes = types.toArray(String[]::new);
        }
        if (patch.description() != null) {
            endpoint.description = patch.description();
        }
        if (patch.enabled() != null) {
            endpoint.enabled = patch.enabled();
        }
        if (secret != null) {
            endpoint.rotate(secrets.seal(secret, id), config.secretOverlap());
        }
        endpoint.patched();
        adminAction(who, secret == null ? "webhook-update" : "webhook-rotate-secret", id, null);
        return Optional.of(endpoint.view().withSecret(secret));
    }

    /** At start: warns when secrets are stored unencrypted, else encrypts what is not yet under the first key. */
    void resealOnStart(@Observes StartupEvent started) {
        if (!secrets.encrypts()) {
            if (LaunchMode.current() == LaunchMode.NORMAL) {
                LOG.warn("webhook secrets are stored unencrypted: set GENLEDGER_WEBHOOKS_SECRET_KEYS (docs/security.md)");
            }
            return;
        }
        try {
            int resealed = reseal();
            if (resealed > 0) {
                LOG.infof("webhook secrets of %d endpoints encrypted under the first of genledger.webhooks.secret-keys",
                        resealed);
            }
        } catch (RuntimeException e) {
            // Every configured key still opens them; a replica starting beside this one may have done it.
            LOG.warnf("webhook secrets not re-encrypted at start, the next start checks again: %s", e.getMessage());
        }
    }

    /**
     * Encrypts under the first key the secrets stored before any key was set or under an older
     * key, so the older key can be dropped; the number of endpoints changed.
     */
    int reseal() {
        return QuarkusTransaction.requiringNew().call(() -> {
            int changed = 0;
            for (WebhookEndpoint endpoint : WebhookEndpoint.<WebhookEndpoint>listAll()) {
                String secret = secrets.reseal(endpoint.secret, endpoint.id);
                String previous = secrets.reseal(endpoint.previousSecret, endpoint.id);
                if (secret != endpoint.secret || previous != endpoint.previousSecret) {
                    endpoint.secret = secret;
                    endpoint.previousSecret = previous;
                    changed++;
                }
            }
            return changed;
        });
    }

    @Transactional
    public boolean delete(UUID id, Who who) {
        if (!WebhookEndpoint.deleteById(id)) {
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
        if (WebhookEndpoint.findByIdOptional(id).isEmpty()) {
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
        if (WebhookEndpoint.findByIdOptional(id).isEmpty()) {
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
                        rs.getObject(2, OffsetDateTime.class), (Integer) rs.getObject(3), rs.getInt(4),
                        rs.getString(5)), deliveryId);
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
}
