package dev.genledger.quiz;

import java.sql.SQLException;

import jakarta.annotation.security.PermitAll;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import dev.genledger.api.ApiProblem;
import dev.genledger.db.DatabaseResource;

/** Published quizzes by slug, for anybody: no token, no owner, no ids. */
@Path("/v1/public/quizzes")
@Produces(MediaType.APPLICATION_JSON)
public class PublicQuizResource extends DatabaseResource {

    @Inject
    QuizService quizzes;

    @GET
    @Path("{slug}")
    @PermitAll
    public QuizViews.PublicQuiz get(@PathParam("slug") String slug) throws SQLException {
        if (slug.length() > 64) {
            throw ApiProblem.notFound("published quiz");
        }
        return quizzes.bySlug(slug).orElseThrow(() -> ApiProblem.notFound("published quiz"));
    }
}
