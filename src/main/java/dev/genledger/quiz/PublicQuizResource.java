package dev.genledger.quiz;


import jakarta.annotation.security.PermitAll;
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
import dev.genledger.api.ReplicaRead;
import dev.genledger.db.DatabaseResource;

/** Published quizzes by slug, for anybody: no token, no owner, no ids, no answers. */
@Path("/v1/public/quizzes")
@Produces(MediaType.APPLICATION_JSON)
public class PublicQuizResource extends DatabaseResource {

    private static final int MAX_SLUG = 64;

    @Inject
    QuizService quizzes;

    @ReplicaRead
    @GET
    @Path("{slug}")
    @PermitAll
    public QuizViews.PublicQuiz get(@PathParam("slug") String slug) {
        return quizzes.bySlug(plausible(slug)).orElseThrow(() -> ApiProblem.notFound("published quiz"));
    }

    /** Grades a submission: the score and whether each answer was right, never the right answers. */
    @POST
    @Path("{slug}/answers")
    @PermitAll
    @Consumes(MediaType.APPLICATION_JSON)
    public QuizViews.Graded grade(@PathParam("slug") String slug, @Valid @NotNull QuizRequests.Answers request) {
        return quizzes.grade(plausible(slug), request.answers())
                .orElseThrow(() -> ApiProblem.notFound("published quiz"));
    }

    private static String plausible(String slug) {
        if (slug.length() > MAX_SLUG) {
            throw ApiProblem.notFound("published quiz");
        }
        return slug;
    }
}
