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
import dev.genledger.db.DatabaseUnavailableException;
import dev.genledger.db.PoolExhaustedException;
import dev.genledger.db.RetryLog;
import dev.genledger.db.TransientDatabaseException;
import io.smallrye.faulttolerance.api.BeforeRetry;
import io.smallrye.faulttolerance.api.ExponentialBackoff;
import org.eclipse.microprofile.faulttolerance.CircuitBreaker;
import org.eclipse.microprofile.faulttolerance.Retry;
import org.eclipse.microprofile.faulttolerance.Timeout;
import org.eclipse.microprofile.faulttolerance.exceptions.TimeoutException;

/** Published quizzes by slug, for anybody: no token, no owner, no ids. */
@Path("/v1/public/quizzes")
@Produces(MediaType.APPLICATION_JSON)
@Retry(maxRetries = 10, delay = 10, jitter = 10, maxDuration = 5000,
        retryOn = TransientDatabaseException.class, abortOn = PoolExhaustedException.class)
@ExponentialBackoff(maxDelay = 500)
@BeforeRetry(RetryLog.class)
@Timeout(4000)
@CircuitBreaker(requestVolumeThreshold = 20, failureRatio = 0.5, delay = 5000, successThreshold = 2,
        failOn = { DatabaseUnavailableException.class, TimeoutException.class })
public class PublicQuizResource {

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
