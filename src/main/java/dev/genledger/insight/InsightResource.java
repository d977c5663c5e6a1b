package dev.genledger.insight;

import java.util.List;
import java.util.UUID;

import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import dev.genledger.api.ApiProblem;
import dev.genledger.api.Caller;
import dev.genledger.api.RequestMeta;
import dev.genledger.credit.UserLocks;
import dev.genledger.db.DatabaseResource;

/** Insights of a quiz, one per type. */
@Path("/v1/quizzes/{id}/insights")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class InsightResource extends DatabaseResource {

    @Inject
    InsightService insights;

    @Inject
    Caller caller;

    @Inject
    RequestMeta meta;

    @Inject
    UserLocks locks;

    /** Creates (201) or replaces (200) the quiz's insight of this type. */
    @PUT
    @Path("{type}")
    @RolesAllowed({ Caller.SERVICE, Caller.ADMIN, Caller.USER })
    public Response put(@PathParam("id") UUID quizId, @PathParam("type") String type,
            @Valid @NotNull InsightViews.Put request) {
        InsightService.check(type, request.content());
        // A new insight counts against its owner's quota row: queue behind the owner's other creates on
        // this replica instead of failing them with serialization errors (see UserLocks).
        UUID owner = insights.quizOwner(quizId).orElseThrow(() -> ApiProblem.notFound("quiz " + quizId));
        InsightService.Upserted result = locks
                .withUser(owner, () -> insights.put(quizId, type, request.content(), caller::mayAccess, meta.who()))
                .orElseThrow(() -> ApiProblem.notFound("quiz " + quizId));
        return Response.status(result.created() ? Response.Status.CREATED : Response.Status.OK)
                .entity(result.insight()).build();
    }

    @GET
    @RolesAllowed({ Caller.SERVICE, Caller.ADMIN, Caller.USER })
    public List<InsightViews.Insight> list(@PathParam("id") UUID quizId) {
        return insights.list(quizId, caller::mayAccess).orElseThrow(() -> ApiProblem.notFound("quiz " + quizId));
    }
}
