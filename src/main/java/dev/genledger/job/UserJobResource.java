package dev.genledger.job;

import java.net.URI;
import java.util.UUID;

import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import dev.genledger.api.ApiProblem;
import dev.genledger.api.Caller;
import dev.genledger.api.Cursor;
import dev.genledger.api.Page;
import dev.genledger.api.RequestMeta;
import dev.genledger.db.DatabaseResource;
import io.quarkus.security.identity.SecurityIdentity;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;

/**
 * Generation jobs. Users may read their own jobs; creating and moving jobs (which holds and spends
 * credits) is for the app backend ({@code service}) and admins. A user trying to move their own
 * job gets 403; anybody else's job is 404 to them.
 */
@Path("/v1/users/{id}/jobs")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class UserJobResource extends DatabaseResource {

    @Inject
    JobService jobs;

    @Inject
    Caller caller;

    @Inject
    RequestMeta meta;

    @Inject
    SecurityIdentity identity;


    @POST
    @RolesAllowed({ Caller.SERVICE, Caller.ADMIN, Caller.USER })
    public Response create(@PathParam("id") UUID userId, @Valid @NotNull JobRequests.Create request) {
        caller.requireAccessTo(userId);
        if (!caller.isPrivileged()) {
            // a live user is told they may not (403); a deleted one is gone (404)
            jobs.list(userId, null, null, 1).orElseThrow(() -> ApiProblem.notFound("user " + userId));
            requirePrivileged();
        }
        JobService.Created result = jobs.create(userId, request, Caller.roleOf(identity), meta.who())
                .orElseThrow(() -> ApiProblem.notFound("user " + userId));
        return result.created()
                ? Response.created(URI.create("/v1/jobs/" + result.job().id())).entity(result.job()).build()
                : Response.ok(result.job()).build();
    }

    @GET
    @RolesAllowed({ Caller.SERVICE, Caller.ADMIN, Caller.USER })
    public Page<JobViews.Job> list(@PathParam("id") UUID userId, @QueryParam("status") String status,
            @QueryParam("cursor") String cursor,
            @QueryParam("limit") @Parameter(schema = @Schema(type = SchemaType.INTEGER, minimum = "1", maximum = "200"))
            String limit) {
        caller.requireAccessTo(userId);
        return jobs.list(userId, status == null ? null : parseStatus(status), cursor, Cursor.limit(limit))
                .orElseThrow(() -> ApiProblem.notFound("user " + userId));
    }

    private void requirePrivileged() {
        if (!caller.isPrivileged()) {
            throw ApiProblem.forbidden("only the app backend or an admin may create jobs");
        }
    }

    private static JobStatus parseStatus(String status) {
        try {
            return JobStatus.valueOf(status);
        } catch (IllegalArgumentException e) {
            throw ApiProblem.badRequest("invalid-status", "status must be one of PENDING, RUNNING, SUCCEEDED, FAILED, CANCELLED, EXPIRED");
        }
    }
}
