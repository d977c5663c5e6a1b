package dev.genledger.credit;


import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import dev.genledger.api.ApiProblem;
import dev.genledger.api.Caller;
import dev.genledger.api.IdempotencyKey;
import dev.genledger.db.DatabaseUnavailableException;
import dev.genledger.db.DatabaseOverloadedException;
import dev.genledger.db.RetryLog;
import dev.genledger.db.TransientDatabaseException;
import io.smallrye.faulttolerance.api.BeforeRetry;
import io.smallrye.faulttolerance.api.ExponentialBackoff;
import org.eclipse.microprofile.faulttolerance.CircuitBreaker;
import org.eclipse.microprofile.faulttolerance.Retry;
import org.eclipse.microprofile.faulttolerance.Timeout;
import org.eclipse.microprofile.faulttolerance.exceptions.TimeoutException;

@Path("/v1/transfers")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@Retry(maxRetries = 10, delay = 10, jitter = 10, maxDuration = 5000,
        retryOn = TransientDatabaseException.class, abortOn = DatabaseOverloadedException.class)
@ExponentialBackoff(maxDelay = 500)
@BeforeRetry(RetryLog.class)
@Timeout(4000)
@CircuitBreaker(requestVolumeThreshold = 20, failureRatio = 0.5, delay = 5000, successThreshold = 2,
        failOn = { DatabaseUnavailableException.class, TimeoutException.class })
public class TransferResource {

    @Inject
    CreditService credits;

    @Inject
    Caller caller;

    @Inject
    IdempotencyKey idempotencyKey;

    @POST
    @RolesAllowed({ Caller.SERVICE, Caller.ADMIN })
    public Response transfer(@Valid @NotNull CreditRequests.Transfer request) {
        if (request.fromUserId().equals(request.toUserId())) {
            throw ApiProblem.badRequest("same-user-transfer", "fromUserId and toUserId must differ");
        }
        LedgerWriter.TransferResult result = credits.transfer(request.fromUserId(), request.toUserId(),
                request.amount(), request.reason(), idempotencyKey.value(), caller.actor());
        return switch (result.status()) {
            case APPLIED -> Response.status(Response.Status.CREATED).entity(result.transfer()).build();
            case REPLAYED -> Response.status(Response.Status.CREATED).entity(result.transfer())
                    .header(IdempotencyKey.REPLAYED_HEADER, "true").build();
            case INSUFFICIENT -> throw ApiProblem.insufficientCredits(result.available(), request.amount());
            case USER_NOT_FOUND -> throw ApiProblem.notFound("user " + result.missingUser());
            case KEY_REUSED -> throw ApiProblem.idempotencyKeyReused();
        };
    }
}
