package dev.genledger.user;

import java.net.URI;
import java.util.UUID;

import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import dev.genledger.api.ApiProblem;
import dev.genledger.api.Caller;
import dev.genledger.api.RequestMeta;
import dev.genledger.db.DatabaseResource;

@Path("/v1/users")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class UserResource extends DatabaseResource {

    @Inject
    UserService users;

    @Inject
    Caller caller;

    @Inject
    RequestMeta meta;

    @Inject
    NewUserId newUserId;

    @POST
    @RolesAllowed({ Caller.SERVICE, Caller.ADMIN })
    public Response create(@Valid @NotNull UserRequests.Create request) {
        UserView user = users.create(newUserId.value(), request, meta.who());
        return Response.created(URI.create("/v1/users/" + user.id())).entity(user).build();
    }

    @GET
    @Path("{id}")
    @RolesAllowed({ Caller.SERVICE, Caller.ADMIN, Caller.USER })
    public UserView get(@PathParam("id") UUID id) {
        caller.requireAccessTo(id);
        return users.get(id).orElseThrow(() -> ApiProblem.notFound("user " + id));
    }

    /** Finds the live user with this email or external id (exactly one of the two). */
    @GET
    @RolesAllowed({ Caller.SERVICE, Caller.ADMIN, Caller.USER })
    public UserView find(@QueryParam("email") @Size(max = 254) String email,
            @QueryParam("externalId") @Size(max = 128) @Pattern(regexp = UserRequests.NO_CONTROL_CHARS) String externalId) {
        if ((email == null) == (externalId == null)) {
            throw ApiProblem.badRequest("invalid-query", "give exactly one of the query parameters email and externalId");
        }
        UserView user = (email != null ? users.findByEmail(email) : users.findByExternalId(externalId))
                .filter(u -> caller.mayAccess(u.id()))
                .orElseThrow(() -> ApiProblem.notFound("such a user"));
        return user;
    }

    @PUT
    @Path("by-external-id/{externalId}")
    @RolesAllowed({ Caller.SERVICE, Caller.ADMIN })
    public Response upsert(
            @PathParam("externalId") @Size(min = 1, max = 128) @Pattern(regexp = UserRequests.NO_CONTROL_CHARS) String externalId,
            @Valid @NotNull UserRequests.Upsert request) {
        UserService.Upserted result = users.upsertByExternalId(externalId, request, meta.who());
        return result.created()
                ? Response.created(URI.create("/v1/users/" + result.user().id())).entity(result.user()).build()
                : Response.ok(result.user()).build();
    }

    /**
     * A user may rename themselves, nothing more: email and external id say who an account is
     * (the backend finds and upserts users by them), so only the backend and admins change them.
     * The refusal comes before any lookup, so it says nothing about who else has that email.
     */
    @PATCH
    @Path("{id}")
    @Consumes({ MediaType.APPLICATION_JSON, "application/merge-patch+json" })
    @RolesAllowed({ Caller.SERVICE, Caller.ADMIN, Caller.USER })
    public UserView update(@PathParam("id") UUID id, @Valid @NotNull UserRequests.Patch patch) {
        caller.requireAccessTo(id);
        if (!caller.isPrivileged() && (patch.email() != null || patch.externalId() != null)) {
            throw ApiProblem.forbidden(
                    "a user may change only their displayName; email and externalId are changed by the app backend");
        }
        return users.update(id, patch, meta.who()).orElseThrow(() -> ApiProblem.notFound("user " + id));
    }

    @DELETE
    @Path("{id}")
    @RolesAllowed({ Caller.SERVICE, Caller.ADMIN, Caller.USER })
    public Response delete(@PathParam("id") UUID id) {
        caller.requireAccessTo(id);
        if (!users.delete(id, meta.who())) {
            throw ApiProblem.notFound("user " + id);
        }
        return Response.noContent().build();
    }
}
