package dev.genledger.event;

import java.util.UUID;

import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
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

/** One user's events, oldest first after a cursor: the user themselves, the app backend, an admin. */
@Path("/v1/users/{id}/events")
@Produces(MediaType.APPLICATION_JSON)
public class UserEventResource extends DatabaseResource {

    @Inject
    EventService events;

    @Inject
    Caller caller;

    @GET
    @RolesAllowed({ Caller.SERVICE, Caller.ADMIN, Caller.USER })
    public Page<EventView> ofUser(@PathParam("id") UUID id, @QueryParam("after") String after,
            @QueryParam("limit") @Parameter(schema = @Schema(type = SchemaType.INTEGER, minimum = "1", maximum = "200"))
            String limit) {
        caller.requireAccessTo(id);
        return events.ofUser(id, after, Cursor.limit(limit)).orElseThrow(() -> ApiProblem.notFound("user " + id));
    }
}
