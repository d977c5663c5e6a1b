package dev.genledger.job;

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
import jakarta.ws.rs.core.MediaType;

import dev.genledger.api.ApiProblem;
import dev.genledger.api.Caller;
import dev.genledger.api.IdempotencyKey;
import dev.genledger.api.RequestMeta;
import dev.genledger.db.DatabaseResource;
import org.jboss.resteasy.reactive.RestResponse;

/**
 * Generation jobs. Users may read their own jobs; creating and moving jobs (which holds and spends
 * credits) is for the app backend ({@code service}) and admins. A user trying to move their own
 * job gets 403; anybody else's job is 404 to them.
 */
@Path("/v1/jobs")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class JobResource extends DatabaseResource {

    @Inject
    JobService jobs;

    @Inject
    Caller caller;

    @Inject
    RequestMeta meta;

    @GET
    @Path("{id}")
    @RolesAllowed({ Caller.SERVICE, Caller.ADMIN, Caller.USER })
    public JobViews.Job get(@PathParam("id") UUID id) {
        return jobs.get(id, caller::mayAccess).orElseThrow(() -> ApiProblem.notFound("job " + id));
    }

    @POST
    @Path("{id}/start")
    @RolesAllowed({ Caller.SERVICE, Caller.ADMIN, Caller.USER })
    public RestResponse<JobViews.Job> start(@PathParam("id") UUID id) {
        return move(id, JobStatus.RUNNING, JobService.Outcome.NONE);
    }

    /** The worker's heartbeat: the job's hold now runs out its TTL from now. */
    @POST
    @Path("{id}/heartbeat")
    @RolesAllowed({ Caller.SERVICE, Caller.ADMIN, Caller.USER })
    public JobViews.Heartbeat heartbeat(@PathParam("id") UUID id) {
        mayMove(id);
        JobService.Beat beat = jobs.heartbeat(id, caller::mayAccess, meta.who())
                .orElseThrow(() -> ApiProblem.notFound("job " + id));
        if (beat.expired() != null) {
            throw JobService.expired(id);
        }
        return beat.renewed();
    }

    @POST
    @Path("{id}/succeed")
    @RolesAllowed({ Caller.SERVICE, Caller.ADMIN, Caller.USER })
    public RestResponse<JobViews.Job> succeed(@PathParam("id") UUID id, @Valid JobRequests.Succeed request) {
        return move(id, JobStatus.SUCCEEDED, request == null ? JobService.Outcome.NONE
                : JobService.Outcome.succeeded(request));
    }

    @POST
    @Path("{id}/fail")
    @RolesAllowed({ Caller.SERVICE, Caller.ADMIN, Caller.USER })
    public RestResponse<JobViews.Job> fail(@PathParam("id") UUID id, @Valid @NotNull JobRequests.Fail request) {
        return move(id, JobStatus.FAILED, JobService.Outcome.failed(request.error()));
    }

    @POST
    @Path("{id}/cancel")
    @RolesAllowed({ Caller.SERVICE, Caller.ADMIN, Caller.USER })
    public RestResponse<JobViews.Job> cancel(@PathParam("id") UUID id, @Valid JobRequests.Cancel request) {
        return move(id, JobStatus.CANCELLED, JobService.Outcome.because(request == null ? null : request.reason()));
    }

    private RestResponse<JobViews.Job> move(UUID id, JobStatus to, JobService.Outcome outcome) {
        mayMove(id);
        JobService.Moved moved = jobs.transition(id, to, outcome, caller::mayAccess, meta.who())
                .orElseThrow(() -> ApiProblem.notFound("job " + id));
        if (moved.expired()) {
            // committed: the job is EXPIRED now, and this move changed nothing else
            throw JobService.expired(id);
        }
        if (moved.replayed()) {
            return RestResponse.ResponseBuilder.ok(moved.job()).header(IdempotencyKey.REPLAYED_HEADER, "true").build();
        }
        return RestResponse.ok(moved.job());
    }

    private void mayMove(UUID id) {
        if (!caller.isPrivileged()) {
            // a user sees their own job (403: not theirs to move) but nobody else's (404)
            jobs.get(id, caller::mayAccess).orElseThrow(() -> ApiProblem.notFound("job " + id));
            requirePrivileged();
        }
    }

    private void requirePrivileged() {
        if (!caller.isPrivileged()) {
            throw ApiProblem.forbidden("only the app backend or an admin may create or move jobs");
        }
    }
}
