package dev.genledger.audit;

import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.UUID;

import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

import dev.genledger.api.ApiProblem;
import dev.genledger.api.Caller;
import dev.genledger.api.Cursor;
import dev.genledger.api.Page;
import dev.genledger.db.DatabaseResource;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;

/** The audit history for admins: filter by user, entity, action and time range. */
@Path("/v1/admin/audit")
@Produces(MediaType.APPLICATION_JSON)
public class AuditResource extends DatabaseResource {

    @Inject
    AuditService audit;

    /**
     * {@code entity}: user, job, quiz, insight or admin; {@code action}: CREATE, UPDATE, STATUS,
     * DELETE, RESTORE, PURGE or an admin action; {@code from} inclusive, {@code to} exclusive (ISO-8601).
     */
    @GET
    @RolesAllowed(Caller.ADMIN)
    public Page<AuditViews.Entry> search(@QueryParam("userId") UUID userId, @QueryParam("entity") String entity,
            @QueryParam("entityId") String entityId, @QueryParam("action") String action,
            @QueryParam("from") String from, @QueryParam("to") String to, @QueryParam("cursor") String cursor,
            @QueryParam("limit") @Parameter(schema = @Schema(type = SchemaType.INTEGER, minimum = "1", maximum = "200"))
            String limit) {
        return audit.search(new AuditViews.Filter(userId, entity, entityId, action, time("from", from), time("to", to)),
                cursor, Cursor.limit(limit));
    }

    private static OffsetDateTime time(String name, String value) {
        if (value == null) {
            return null;
        }
        try {
            return OffsetDateTime.parse(value);
        } catch (DateTimeParseException e) {
            throw ApiProblem.badRequest("invalid-time", name + " must be an ISO-8601 date-time with offset");
        }
    }
}
