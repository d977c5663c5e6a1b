package dev.genledger.credit;


import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import dev.genledger.api.Caller;
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

@Path("/v1/admin/reconciliation")
@Produces(MediaType.APPLICATION_JSON)
@Retry(maxRetries = 3, delay = 100, jitter = 50, retryOn = TransientDatabaseException.class,
        abortOn = DatabaseOverloadedException.class)
@ExponentialBackoff(maxDelay = 1000)
@BeforeRetry(RetryLog.class)
@Timeout(4000)
@CircuitBreaker(requestVolumeThreshold = 20, failureRatio = 0.5, delay = 5000, successThreshold = 2,
        failOn = { DatabaseUnavailableException.class, TimeoutException.class })
public class ReconciliationResource {

    @Inject
    CreditService credits;

    /** Every user's balance against their ledger; an empty mismatch list means all is well. */
    @GET
    @RolesAllowed(Caller.ADMIN)
    public CreditViews.Reconciliation reconcile() {
        return credits.reconcile();
    }
}
