package dev.genledger.ops;


import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import dev.genledger.api.Caller;
import dev.genledger.api.RequestMeta;
import dev.genledger.db.DatabaseResource;

/** Runs the scheduled housekeeping now (stuck-job sweep and retention purge). */
@Path("/v1/admin/housekeeping")
@Produces(MediaType.APPLICATION_JSON)
public class HousekeepingResource extends DatabaseResource {

    @Inject
    Housekeeping housekeeping;

    @Inject
    RequestMeta meta;

    @POST
    @Path("run")
    @RolesAllowed(Caller.ADMIN)
    public Housekeeping.Run run() {
        return housekeeping.run(meta.who());
    }
}
