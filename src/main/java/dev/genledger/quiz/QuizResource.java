package dev.genledger.quiz;

import java.util.UUID;

import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import dev.genledger.api.ApiProblem;
import dev.genledger.api.Caller;
import dev.genledger.api.ReplicaRead;
import dev.genledger.api.RequestMeta;
import dev.genledger.db.DatabaseResource;

/** Quizzes of a user: the user themselves, the app backend and admins may manage them. */
@Path("/v1/quizzes")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class QuizResource extends DatabaseResource {

    @Inject
    QuizService quizzes;

    @Inject
    Caller caller;

    @Inject
    RequestMeta meta;

    @ReplicaRead
    @GET
    @Path("{id}")
    @RolesAllowed({ Caller.SERVICE, Caller.ADMIN, Caller.USER })
    public QuizViews.Quiz get(@PathParam("id") UUID id) {
        return quizzes.get(id, caller::mayAccess).orElseThrow(() -> notFound(id));
    }

    @PATCH
    @Path("{id}")
    @Consumes({ MediaType.APPLICATION_JSON, "application/merge-patch+json" })
    @RolesAllowed({ Caller.SERVICE, Caller.ADMIN, Caller.USER })
    public QuizViews.Quiz update(@PathParam("id") UUID id, @Valid @NotNull QuizRequests.Patch patch) {
        return quizzes.update(id, patch, caller::mayAccess, meta.who()).orElseThrow(() -> notFound(id));
    }

    @DELETE
    @Path("{id}")
    @RolesAllowed({ Caller.SERVICE, Caller.ADMIN, Caller.USER })
    public Response delete(@PathParam("id") UUID id) {
        if (!quizzes.delete(id, caller::mayAccess, meta.who())) {
            throw notFound(id);
        }
        return Response.noContent().build();
    }

    @POST
    @Path("{id}/publish")
    @RolesAllowed({ Caller.SERVICE, Caller.ADMIN, Caller.USER })
    public QuizViews.Quiz publish(@PathParam("id") UUID id) {
        return quizzes.publish(id, true, caller::mayAccess, meta.who()).orElseThrow(() -> notFound(id));
    }

    @POST
    @Path("{id}/unpublish")
    @RolesAllowed({ Caller.SERVICE, Caller.ADMIN, Caller.USER })
    public QuizViews.Quiz unpublish(@PathParam("id") UUID id) {
        return quizzes.publish(id, false, caller::mayAccess, meta.who()).orElseThrow(() -> notFound(id));
    }

    private static ApiProblem notFound(UUID id) {
        return ApiProblem.notFound("quiz " + id);
    }
}
