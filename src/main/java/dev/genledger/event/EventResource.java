package dev.genledger.event;

import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

import dev.genledger.api.Caller;
import dev.genledger.api.Cursor;
import dev.genledger.api.Page;
import dev.genledger.db.DatabaseResource;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;

/** Every user's events, oldest first after a cursor: the pull API for consumers that can't take webhooks. */
@Path("/v1/events")
@Produces(MediaType.APPLICATION_JSON)
public class EventResource extends DatabaseResource {

    @Inject
    EventService events;

    @GET
    @RolesAllowed(Caller.ADMIN)
    public Page<EventView> all(@QueryParam("after") String after,
            @QueryParam("limit") @Parameter(schema = @Schema(type = SchemaType.INTEGER, minimum = "1", maximum = "200"))
            String limit) {
        return events.all(after, Cursor.limit(limit));
    }
}
