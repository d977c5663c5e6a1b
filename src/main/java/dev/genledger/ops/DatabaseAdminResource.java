package dev.genledger.ops;

import java.util.List;

import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import dev.genledger.api.Caller;
import dev.genledger.db.DatabaseOverloadedException;
import dev.genledger.db.DatabaseResource;
import dev.genledger.db.TransientDatabaseException;
import io.smallrye.faulttolerance.api.ExponentialBackoff;
import org.eclipse.microprofile.faulttolerance.Retry;

/** Database and pool status for operators, table statistics, migrations, and the pool flush. */
@Path("/v1/admin/db")
@Produces(MediaType.APPLICATION_JSON)
// Admin calls retry less and back off more than the API (the rest of the policy is inherited).
@Retry(maxRetries = 3, delay = 100, jitter = 50, retryOn = TransientDatabaseException.class,
        abortOn = DatabaseOverloadedException.class)
@ExponentialBackoff(maxDelay = 1000)
@RolesAllowed(Caller.ADMIN)
public class DatabaseAdminResource extends DatabaseResource {

    @Inject
    DatabaseAdmin admin;

    @GET
    public DatabaseAdmin.Status status() {
        return admin.status();
    }

    /** Not retried: a flush is an operator's one-off action, and a second one would close the fresh connections. */
    @POST
    @Path("pool/flush")
    @Retry(maxRetries = 0)
    public DatabaseAdmin.Flush flush() throws InterruptedException {
        return admin.flushPool();
    }

    @GET
    @Path("statistics")
    public List<DatabaseAdmin.TableStats> statistics() {
        return admin.statistics();
    }

    @GET
    @Path("migrations")
    public DatabaseAdmin.Migrations migrations() {
        return admin.migrations();
    }
}
