package dev.genledger.user;

import java.util.UUID;

import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

import dev.genledger.api.ApiProblem;
import dev.genledger.api.Caller;
import dev.genledger.api.Cursor;
import dev.genledger.api.Page;
import dev.genledger.api.RequestMeta;
import dev.genledger.db.DatabaseResource;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;

@Path("/v1/admin/users")
@Produces(MediaType.APPLICATION_JSON)
public class AdminUserResource extends DatabaseResource {

    @Inject
    UserService users;

    @Inject
    RequestMeta meta;

    /** Users, newest first; {@code includeDeleted=true} adds deleted and purged ones. */
    @GET
    @RolesAllowed(Caller.ADMIN)
    public Page<AdminUserView> list(@QueryParam("includeDeleted") boolean includeDeleted,
            @QueryParam("cursor") String cursor,
            @QueryParam("limit") @Parameter(schema = @Schema(type = SchemaType.INTEGER, minimum = "1", maximum = "200"))
            String limit) {
        return users.list(includeDeleted, cursor, Cursor.limit(limit));
    }

    /** Brings back a deleted user with what was deleted with them (not what they deleted before). */
    @POST
    @Path("{id}/restore")
    @RolesAllowed(Caller.ADMIN)
    public UserView restore(@PathParam("id") UUID id) {
        return users.restore(id, meta.who()).orElseThrow(() -> ApiProblem.notFound("deleted user " + id));
    }
}
