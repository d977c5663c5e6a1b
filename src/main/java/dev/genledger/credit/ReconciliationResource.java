package dev.genledger.credit;

import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import dev.genledger.api.Caller;
import dev.genledger.db.DatabaseResource;

@Path("/v1/admin/reconciliation")
@Produces(MediaType.APPLICATION_JSON)
public class ReconciliationResource extends DatabaseResource {

    @Inject
    CreditService credits;

    /** Every user's balance against their ledger; an empty mismatch list means all is well. */
    @GET
    @RolesAllowed(Caller.ADMIN)
    public CreditViews.Reconciliation reconcile() {
        return credits.reconcile();
    }
}
