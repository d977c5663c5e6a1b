package dev.genledger.quiz;

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

import dev.genledger.api.Caller;
import dev.genledger.api.Cursor;
import dev.genledger.api.Page;
import dev.genledger.api.ReplicaRead;
import dev.genledger.api.RequestMeta;
import dev.genledger.credit.UserLocks;
import dev.genledger.db.DatabaseResource;
import dev.genledger.user.LiveUsers;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;

/** Quizzes of a user: the user themselves, the app backend and admins may manage them. */
@Path("/v1/users/{id}/quizzes")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class UserQuizResource extends DatabaseResource {

    @Inject
    QuizService quizzes;

    @Inject
    Caller caller;

    @Inject
    RequestMeta meta;

    @Inject
    UserLocks locks;

    @POST
    @RolesAllowed({ Caller.SERVICE, Caller.ADMIN, Caller.USER })
    public Response create(@PathParam("id") UUID userId, @Valid @NotNull QuizRequests.Create request) {
        caller.requireAccessTo(userId);
        // Creating counts against the user's quota row: on one replica, concurrent creates for one user
        // queue here instead of failing each other with serialization errors (see UserLocks).
        QuizViews.Quiz quiz = locks.withUser(userId, () -> quizzes.create(userId, request, meta.who()))
                .orElseThrow(() -> LiveUsers.notFound(userId));
        return Response.created(URI.create("/v1/quizzes/" + quiz.id())).entity(quiz).build();
    }

    @ReplicaRead
    @GET
    @RolesAllowed({ Caller.SERVICE, Caller.ADMIN, Caller.USER })
    public Page<QuizViews.Quiz> list(@PathParam("id") UUID userId, @QueryParam("cursor") String cursor,
            @QueryParam("limit") @Parameter(schema = @Schema(type = SchemaType.INTEGER, minimum = "1", maximum = "200"))
            String limit) {
        caller.requireAccessTo(userId);
        return quizzes.list(userId, cursor, Cursor.limit(limit));
    }
}
