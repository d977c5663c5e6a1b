package dev.genledger.audit;

import java.util.ArrayList;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.genledger.api.Cursor;
import dev.genledger.api.Page;
import dev.genledger.db.TranslateFailures;
import io.quarkus.panache.common.Parameters;
import io.quarkus.panache.common.Sort;

/** Searches the audit history, newest first. */
@ApplicationScoped
@TranslateFailures
public class AuditService {

    @Inject
    ObjectMapper json;

    @Transactional(Transactional.TxType.SUPPORTS)
    public Page<AuditViews.Entry> search(AuditViews.Filter f, String cursor, int limit) {
        List<String> where = new ArrayList<>(List.of("id < :before"));
        Parameters params = Parameters.with("before", Cursor.decode(cursor));
        criterion(where, params, "userId", "userId = :userId", f.userId());
        criterion(where, params, "entity", "entity = :entity", f.entity());
        criterion(where, params, "entityId", "entityId = :entityId", f.entityId());
        criterion(where, params, "action", "action = :action", f.action());
        criterion(where, params, "from", "at >= :from", f.from());
        criterion(where, params, "to", "at < :to", f.to());
        List<AuditViews.Entry> rows = AuditEntry.<AuditEntry>find(String.join(" and ", where), Sort.descending("id"), params)
                .range(0, limit).stream().map(this::view).toList();
        return Page.of(rows, limit, AuditViews.Entry::id);
    }

    private static void criterion(List<String> where, Parameters params, String name, String condition, Object value) {
        if (value != null) {
            where.add(condition);
            params.and(name, value);
        }
    }

    private AuditViews.Entry view(AuditEntry e) {
        return new AuditViews.Entry(e.id, e.at, e.actor, e.clientIp, e.userAgent, e.requestId, e.entity, e.entityId,
                e.userId, e.action, tree(e.oldValues), tree(e.newValues));
    }

    private JsonNode tree(String text) {
        try {
            return text == null ? null : json.readTree(text);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
