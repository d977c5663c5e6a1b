package dev.genledger.ops;

import java.sql.SQLException;

import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import dev.genledger.api.Caller;
import dev.genledger.api.RequestMeta;
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

/** Runs the scheduled housekeeping now (stuck-job sweep and retention purge). */
@Path("/v1/admin/housekeeping")
@Produces(MediaType.APPLICATION_JSON)
@Retry(maxRetries = 10, delay = 10, jitter = 10, maxDuration = 5000,
        retryOn = TransientDatabaseException.class, abortOn = PoolExhaustedException.class)
@ExponentialBackoff(maxDelay = 500)
@BeforeRetry(RetryLog.class)
@Timeout(4000)
@CircuitBreaker(requestVolumeThreshold = 20, failureRatio = 0.5, delay = 5000, successThreshold = 2,
        failOn = { DatabaseUnavailableException.class, TimeoutException.class })
public class HousekeepingResource {

    @Inject
    Housekeeping housekeeping;

    @Inject
    RequestMeta meta;

    @POST
    @Path("run")
    @RolesAllowed(Caller.ADMIN)
    public Housekeeping.Run run() throws SQLException {
        return housekeeping.run(meta.who());
    }
}
