package dev.genledger.ops;


import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

import dev.genledger.api.Cursor;
import dev.genledger.api.Page;
import dev.genledger.api.Caller;
import dev.genledger.api.RequestMeta;
import dev.genledger.db.DatabaseOverloadedException;
import dev.genledger.db.DatabaseResource;
import dev.genledger.db.TransientDatabaseException;
import io.smallrye.faulttolerance.api.ExponentialBackoff;
import org.eclipse.microprofile.faulttolerance.Retry;
import org.eclipse.microprofile.faulttolerance.Timeout;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;

/**
 * Maintenance an operator starts by hand. The long calls get a longer attempt timeout than the
 * API's; the admin pool's statement timeout (GENLEDGER_ADMIN_STATEMENT_TIMEOUT) stays below it.
 */
@Path("/v1/admin")
@Produces(MediaType.APPLICATION_JSON)
// Admin calls retry less and back off more than the API (the rest of the policy is inherited).
@Retry(maxRetries = 3, delay = 100, jitter = 50, retryOn = TransientDatabaseException.class,
        abortOn = DatabaseOverloadedException.class)
@ExponentialBackoff(maxDelay = 1000)
@RolesAllowed(Caller.ADMIN)
public class MaintenanceResource extends DatabaseResource {

    @Inject
    Maintenance maintenance;

    @Inject
    Retention retention;

    @Inject
    RequestMeta meta;

    @POST
    @Path("maintenance/optimize")
    @Timeout(35_000)
    @Retry(maxRetries = 1, delay = 100, retryOn = TransientDatabaseException.class, abortOn = DatabaseOverloadedException.class)
    public Maintenance.Optimized optimize() {
        return maintenance.optimize();
    }

    @POST
    @Path("maintenance/retention")
    @Timeout(65_000)
    @Retry(maxRetries = 1, delay = 100, retryOn = TransientDatabaseException.class, abortOn = DatabaseOverloadedException.class)
    public Retention.Report retention() {
        return retention.run("admin", meta.who());
    }

    /** Per-user statistics as of the last optimize run, by user id. */
    @GET
    @Path("stats")
    public Page<Maintenance.UserStats> stats(@QueryParam("cursor") String cursor,
            @QueryParam("limit") @Parameter(schema = @Schema(type = SchemaType.INTEGER, minimum = "1", maximum = "200"))
            String limit) {
        return maintenance.userStats(cursor, Cursor.limit(limit));
    }
}
