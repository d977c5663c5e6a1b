package dev.genledger.event;

import java.util.UUID;

import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import dev.genledger.api.ApiProblem;
import dev.genledger.api.Caller;
import dev.genledger.db.DatabaseResource;
import io.quarkus.runtime.annotations.RegisterForReflection;

/** A user's threshold of the credit alerts: read by whoever may see the user, set by the app backend or an admin. */
@Path("/v1/users/{id}/credit-alerts")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class CreditAlertResource extends DatabaseResource {

    /** {@code lowThreshold}: available credits at or below which the user's credits are low. */
    @RegisterForReflection
    public record ThresholdRequest(@NotNull @Min(0) @Max(1_000_000_000L) Long lowThreshold) {
    }

    @Inject
    CreditAlerts alerts;

    @Inject
    Caller caller;

    @GET
    @RolesAllowed({ Caller.SERVICE, Caller.ADMIN, Caller.USER })
    public CreditAlerts.Threshold get(@PathParam("id") UUID id) {
        caller.requireAccessTo(id);
        return alerts.get(id).orElseThrow(() -> ApiProblem.notFound("user " + id));
    }

    @PUT
    @RolesAllowed({ Caller.SERVICE, Caller.ADMIN })
    public CreditAlerts.Threshold set(@PathParam("id") UUID id, @Valid @NotNull ThresholdRequest request)
            {
        return alerts.set(id, request.lowThreshold()).orElseThrow(() -> ApiProblem.notFound("user " + id));
    }

    /** Back to the deployment's threshold. */
    @DELETE
    @RolesAllowed({ Caller.SERVICE, Caller.ADMIN })
    public CreditAlerts.Threshold remove(@PathParam("id") UUID id) {
        return alerts.set(id, null).orElseThrow(() -> ApiProblem.notFound("user " + id));
    }
}
